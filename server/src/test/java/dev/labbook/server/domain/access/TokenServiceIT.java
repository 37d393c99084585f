package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Which callers may create, list and revoke which tokens: admins of the token's project, and of '*' for '*'. */
@ExtendWith(LabbookServerExtension.class)
class TokenServiceIT {
    private static final Principal ROOT = Principals.of("root", "*", Role.ADMIN);
    private static final Principal P1_ADMIN = Principals.of("p1-admin", Map.of("p1", Role.ADMIN, "p2", Role.EDITOR));
    private static final Principal P1_EDITOR = Principals.of("p1-editor", "p1", Role.EDITOR);
    private static final Principal EVERYWHERE_EDITOR = Principals.of("editor", Map.of("*", Role.EDITOR, "p3", Role.ADMIN));

    private static TokenService tokens(TestServer server) {
        return server.server().tokens();
    }

    private static void assertDenied(Runnable call, String... messageParts) {
        assertThatThrownBy(call::run).isInstanceOf(PermissionDeniedException.class)
                .satisfies(e -> assertThat(((LabbookException) e).reason()).isEqualTo(ErrorReason.ROLE_MISSING))
                .message().contains(messageParts);
    }

    @Test
    void aProjectAdminCreatesTokensOfItsProjectOnly(TestServer server) {
        NewToken created = tokens(server).create(P1_ADMIN, "ci", "p1", Role.ADMIN, 0);
        assertThat(created.token().creator()).isEqualTo("p1-admin");
        assertThat(created.token().project()).isEqualTo("p1");

        assertDenied(() -> tokens(server).create(P1_ADMIN, "x", "p2", Role.VIEWER, 0), "p1-admin", "'p2'", "admin");
        assertDenied(() -> tokens(server).create(P1_ADMIN, "x", "*", Role.VIEWER, 0), "every project", "'*'");
        assertDenied(() -> tokens(server).create(P1_EDITOR, "x", "p1", Role.VIEWER, 0), "p1-editor", "'p1'");
        // Admin of p3 by a p3 binding, editor elsewhere: p3 only, and never '*'.
        tokens(server).create(EVERYWHERE_EDITOR, "x", "p3", Role.EDITOR, 0);
        assertDenied(() -> tokens(server).create(EVERYWHERE_EDITOR, "x", "*", Role.VIEWER, 0), "'*'");
        assertDenied(() -> tokens(server).create(EVERYWHERE_EDITOR, "x", "p1", Role.VIEWER, 0), "'p1'");

        tokens(server).create(ROOT, "all", "*", Role.ADMIN, 0);
        tokens(server).create(ROOT, "any", "p9", Role.VIEWER, 0);
    }

    @Test
    void aTokenNeverOutlivesTheCredentialsThatCreatedIt(TestServer server) {
        java.time.Instant callerExpires = java.time.Instant.now().plusSeconds(3600).truncatedTo(
                java.time.temporal.ChronoUnit.MILLIS);
        Principal shortLived = new Principal("ml/trainer", "jwt", Map.of("p1", Role.ADMIN),
                java.util.Optional.of(callerExpires), java.util.Optional.empty());
        assertThat(tokens(server).create(shortLived, "forever", "p1", Role.VIEWER, 0).token().expiresAt())
                .isEqualTo(callerExpires);
        assertThat(tokens(server).create(shortLived, "a-year", "p1", Role.VIEWER, 365L * 86_400).token().expiresAt())
                .isEqualTo(callerExpires);
        assertThat(tokens(server).create(shortLived, "a-minute", "p1", Role.VIEWER, 60).token().expiresAt())
                .isBefore(callerExpires);
        assertThat(tokens(server).create(ROOT, "lasting", "p1", Role.VIEWER, 0).token().expiresAt()).isNull();
    }

    @Test
    void listingShowsTheTokensOfTheProjectsTheCallerAdministers(TestServer server) {
        tokens(server).create(ROOT, "p1-token", "p1", Role.VIEWER, 0);
        tokens(server).create(ROOT, "p2-token", "p2", Role.VIEWER, 0);
        tokens(server).create(ROOT, "star-token", "*", Role.VIEWER, 0);
        tokens(server).create(ROOT, "p3-token", "p3", Role.VIEWER, 0);

        assertThat(names(tokens(server).list(P1_ADMIN, "", false, 0, ""))).containsExactly("p1-token");
        assertThat(names(tokens(server).list(P1_ADMIN, "p1", false, 0, ""))).containsExactly("p1-token");
        assertThat(names(tokens(server).list(EVERYWHERE_EDITOR, "", false, 0, ""))).containsExactly("p3-token");
        assertThat(names(tokens(server).list(ROOT, "", false, 0, "")))
                .containsExactly("p3-token", "star-token", "p2-token", "p1-token");
        assertThat(names(tokens(server).list(ROOT, "*", false, 0, ""))).containsExactly("star-token");
        assertThat(names(tokens(server).list(P1_EDITOR, "", false, 0, ""))).isEmpty();

        assertDenied(() -> tokens(server).list(P1_ADMIN, "p2", false, 0, ""), "tokens", "'p2'");
        assertDenied(() -> tokens(server).list(P1_ADMIN, "*", false, 0, ""), "'*'");
    }

    @Test
    void revokingNeedsTheAdminRoleInTheTokensProject(TestServer server) {
        ApiToken p1 = tokens(server).create(ROOT, "p1-token", "p1", Role.VIEWER, 0).token();
        ApiToken p2 = tokens(server).create(ROOT, "p2-token", "p2", Role.VIEWER, 0).token();
        ApiToken star = tokens(server).create(ROOT, "star-token", "*", Role.VIEWER, 0).token();

        assertDenied(() -> tokens(server).revoke(P1_ADMIN, p2.id()), "revoke", "'p2'");
        assertDenied(() -> tokens(server).revoke(P1_ADMIN, star.id()), "'*'");
        assertThat(tokens(server).revoke(P1_ADMIN, p1.id()).revokedAt()).isNotNull();
        assertThat(tokens(server).revoke(ROOT, star.id()).revokedAt()).isNotNull();
        assertThatThrownBy(() -> tokens(server).revoke(ROOT, UUID.randomUUID())).isInstanceOf(NotFoundException.class)
                .satisfies(e -> assertThat(((LabbookException) e).reason()).isEqualTo(ErrorReason.TOKEN_NOT_FOUND));
        assertThat(names(tokens(server).list(ROOT, "", false, 0, ""))).containsExactly("p2-token");
    }

    @Test
    void projectOfATokenIdIsWhatRevokeTargets(TestServer server) {
        ApiToken p1 = tokens(server).create(ROOT, "p1-token", "p1", Role.VIEWER, 0).token();
        ApiToken star = tokens(server).create(ROOT, "star-token", "*", Role.VIEWER, 0).token();

        assertThat(tokens(server).projectOf(p1.id())).contains("p1");
        assertThat(tokens(server).projectOf(star.id())).contains("*");
        assertThat(tokens(server).projectOf(UUID.randomUUID())).isEmpty();
    }

    private static List<String> names(dev.labbook.server.domain.Page<ApiToken> page) {
        assertThat(page.nextPageToken()).isEmpty();
        return page.items().stream().map(ApiToken::name).toList();
    }
}
