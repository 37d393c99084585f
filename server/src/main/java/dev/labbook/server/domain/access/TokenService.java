package dev.labbook.server.domain.access;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.PageTokens;
import dev.labbook.server.store.AccessStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens: created with one role in one project (or in every project), listed by the admins of
 * their project, revoked. Only the hash of a secret is stored; {@link #create} returns the secret
 * once. {@link #bootstrap} makes sure an admin can get in when access control is switched on.
 */
public final class TokenService {
    public static final int MAX_NAME_LENGTH = 128;
    /** Longest lifetime a token may be given: 100 years (0 means it never expires). */
    public static final long MAX_TTL_SECONDS = 100L * 365 * 24 * 3600;
    /** Name and creator of bootstrap tokens. */
    public static final String BOOTSTRAP = "bootstrap";

    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);

    private final AccessStore store;
    private final IdGenerator ids;
    private final Clock clock;
    private final Consumer<UUID> revocations;

    /** @param revocations told the id of each token revoked, so that this replica forgets the token at once */
    public TokenService(AccessStore store, IdGenerator ids, Clock clock, Consumer<UUID> revocations) {
        this.store = store;
        this.ids = ids;
        this.clock = clock;
        this.revocations = revocations;
    }

    /**
     * Creates a token.
     *
     * @param project a project name or {@value Principal#ALL_PROJECTS}; empty means default
     * @param role required
     * @param ttlSeconds lifetime; 0: never expires. Either way no later than the caller's own
     *     credentials expire.
     */
    public NewToken create(Principal caller, String name, String project, Role role, long ttlSeconds) {
        String tokenName = name("name", name);
        String tokenProject = AdminScope.projectOrAll("project", project);
        if (role == null) {
            throw new InvalidArgumentException("role", "is required: viewer, editor or admin");
        }
        if (ttlSeconds < 0) {
            throw new InvalidArgumentException("ttl_seconds", "must not be negative (0: never expires)");
        }
        if (ttlSeconds > MAX_TTL_SECONDS) {
            throw new InvalidArgumentException("ttl_seconds",
                    "must be at most " + MAX_TTL_SECONDS + " (100 years; 0: never expires)");
        }
        if (!AdminScope.administers(caller, tokenProject)) {
            throw new PermissionDeniedException(ErrorReason.ROLE_MISSING, tokenProject.equals(Principal.ALL_PROJECTS)
                    ? caller.name() + " may not create a token for every project ('*'): that needs the admin role in '*'"
                    : caller.name() + " may not create a token for project '" + tokenProject
                            + "': that needs the admin role there");
        }
        Instant now = now();
        Instant expires = ttlSeconds == 0 ? null : now.plusSeconds(ttlSeconds);
        // A token never outlives the credentials that made it: a short-lived JWT or token cannot
        // mint itself a lasting one.
        if (caller.expiresAt().isPresent() && (expires == null || expires.isAfter(caller.expiresAt().get()))) {
            expires = caller.expiresAt().get();
        }
        String secret = TokenSecrets.generate();
        ApiToken token = new ApiToken(ids.next(), tokenName, tokenProject, role, TokenSecrets.displayPrefix(secret),
                caller.name(), now, expires, null, null);
        boolean stored = store.inTransaction(tx -> tx.tokens().insert(token, TokenSecrets.hash(secret)));
        if (!stored) {
            // 190 random bits: a collision means a broken random source, not bad luck.
            throw new IllegalStateException("a generated token secret is already stored");
        }
        return new NewToken(token, secret);
    }

    /**
     * The tokens of the projects the caller administers, newest first.
     *
     * @param project only this project's tokens ({@value Principal#ALL_PROJECTS}: the tokens for
     *     every project); empty: every project the caller administers
     * @param showInactive include revoked and expired tokens
     */
    public Page<ApiToken> list(Principal caller, String project, boolean showInactive, int pageSize,
            String pageToken) {
        int size = Limits.pageSize("page_size", pageSize);
        String only = project == null || project.isEmpty() ? null : AdminScope.projectOrAll("project", project);
        Collection<String> scope = AdminScope.of(caller, only, "tokens");
        String fingerprint = "tokens|" + (only == null ? "" : only) + "|" + showInactive;
        UUID before = PageTokens.decode("page_token", pageToken, fingerprint);
        Instant activeAt = showInactive ? null : clock.instant();
        List<ApiToken> rows = store.inTransaction(tx -> tx.tokens().list(scope, activeAt, before, size + 1));
        return Page.ofKeyset(rows, size, ApiToken::id, fingerprint);
    }

    /** Revokes the token (a revoked token is returned unchanged); its secret stops working within 10 s everywhere. */
    public ApiToken revoke(Principal caller, UUID tokenId) {
        ApiToken token = store.inTransaction(tx -> tx.tokens().findById(tokenId)).orElseThrow(() -> notFound(tokenId));
        if (!AdminScope.administers(caller, token.project())) {
            throw new PermissionDeniedException(ErrorReason.ROLE_MISSING, caller.name() + " may not revoke token "
                    + tokenId + " of project '" + token.project() + "': that needs the admin role there");
        }
        Instant now = now();
        ApiToken revoked = store.inTransaction(tx -> tx.tokens().revoke(tokenId, now)).orElseThrow(() -> notFound(tokenId));
        revocations.accept(revoked.id());
        if (!token.revoked()) {
            LOG.info("token {} ('{}', project '{}') revoked by {}", tokenId, token.name(), token.project(),
                    caller.name());
        }
        return revoked;
    }

    /** The project a token grants its role in (what RevokeToken's {@code token_id} targets); empty when unknown. */
    public Optional<String> projectOf(UUID tokenId) {
        return store.inTransaction(tx -> tx.tokens().findById(tokenId)).map(ApiToken::project);
    }

    /**
     * Makes sure an admin of every project can get in, at the start of a server with access
     * control on. With a configured token (LABBOOK_BOOTSTRAP_TOKEN), stores it unless stored
     * already (by this or another replica, or an earlier start; a revoked one stays revoked).
     * Without one, creates a token when none exists at all, once even when several replicas
     * start together on one database.
     *
     * @return the token created now, whose secret the server shows once; empty otherwise
     * @throws IllegalStateException when the configured token is not of the form of a token
     */
    public Optional<NewToken> bootstrap(Optional<String> configured) {
        if (configured.isPresent()) {
            storeConfigured(configured.get().strip());
            return Optional.empty();
        }
        return store.inTransaction(tx -> {
            tx.tokens().lockBootstrap();
            if (tx.tokens().any()) {
                return Optional.empty();
            }
            String secret = TokenSecrets.generate();
            ApiToken token = bootstrapToken(secret);
            tx.tokens().insert(token, TokenSecrets.hash(secret));
            return Optional.of(new NewToken(token, secret));
        });
    }

    private void storeConfigured(String secret) {
        if (!TokenSecrets.looksLikeToken(secret)) {
            throw new IllegalStateException("the bootstrap token (--bootstrap-token or LABBOOK_BOOTSTRAP_TOKEN) is not "
                    + "a Labbook API token: expected " + TokenSecrets.PREFIX + " and " + (TokenSecrets.LENGTH
                    - TokenSecrets.PREFIX.length()) + " letters and digits with a valid checksum, as printed by "
                    + "`labbook new-token`");
        }
        byte[] hash = TokenSecrets.hash(secret);
        ApiToken stored = store.inTransaction(tx -> {
            if (tx.tokens().insert(bootstrapToken(secret), hash)) {
                LOG.info("bootstrap token {}... stored (admin of every project)", TokenSecrets.displayPrefix(secret));
            }
            return tx.tokens().findByHash(hash).orElseThrow();
        });
        if (stored.revoked()) {
            LOG.warn("the bootstrap token {}... ({}) is revoked: it does not authenticate; configure a new one",
                    stored.prefix(), stored.id());
        } else if (stored.expired(clock.instant())) {
            LOG.warn("the bootstrap token {}... ({}) has expired", stored.prefix(), stored.id());
        }
    }

    private ApiToken bootstrapToken(String secret) {
        return new ApiToken(ids.next(), BOOTSTRAP, Principal.ALL_PROJECTS, Role.ADMIN,
                TokenSecrets.displayPrefix(secret), BOOTSTRAP, now(), null, null, null);
    }

    /** Times as stored and returned: milliseconds. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static NotFoundException notFound(UUID tokenId) {
        NotFoundException error = new NotFoundException(ErrorReason.TOKEN_NOT_FOUND, "token " + tokenId + " not found");
        error.about("token", tokenId);
        return error;
    }

    /** 1-128 characters, not blank, no control characters, no whitespace at either end. */
    private static String name(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "is required (1-" + MAX_NAME_LENGTH + " characters)");
        }
        if (value.codePointCount(0, value.length()) > MAX_NAME_LENGTH) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        return Limits.name(field, value);
    }
}
