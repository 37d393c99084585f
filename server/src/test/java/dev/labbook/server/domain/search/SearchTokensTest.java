package dev.labbook.server.domain.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.labbook.server.domain.InvalidArgumentException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SearchTokensTest {
    private static final byte[] KEY = SearchTokens.newKey();
    private final SearchTokens tokens = new SearchTokens(KEY);
    private final SearchTokens.Position position = new SearchTokens.Position(new SearchCursor(
            Arrays.asList(0.25, null, "adam", 1_700_000_000_000_000L), UUID.randomUUID()), 300);

    @Test
    void roundTripsEveryValueType() {
        String token = tokens.encode(position, "f");
        assertThat(tokens.decode("page_token", token, "f")).isEqualTo(position);
        assertThat(tokens.decode("page_token", "", "f")).isNull();
    }

    @Test
    void anotherReplicaWithTheSharedKeyAcceptsTheToken() {
        String token = tokens.encode(position, "f");
        assertThat(new SearchTokens(KEY.clone()).decode("page_token", token, "f")).isEqualTo(position);
    }

    @Test
    void everySingleBitFlipIsRejected() {
        byte[] bytes = Base64.getUrlDecoder().decode(tokens.encode(position, "f"));
        for (int i = 0; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] tampered = bytes.clone();
                tampered[i] ^= (byte) (1 << bit);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);
                InvalidArgumentException e = catchThrowableOfType(InvalidArgumentException.class,
                        () -> tokens.decode("page_token", token, "f"));
                assertThat(e).as("byte %d bit %d", i, bit).isNotNull();
                assertThat(e.description()).contains("altered");
            }
        }
    }

    @Test
    void rejectsTruncatedGarbageAndOtherKeys() {
        String token = tokens.encode(position, "f");
        for (String bad : List.of(token.substring(0, token.length() - 3), "not a token!", "AAAA",
                new SearchTokens(SearchTokens.newKey()).encode(position, "f"))) {
            assertThat(catchThrowableOfType(InvalidArgumentException.class,
                    () -> tokens.decode("page_token", bad, "f"))).as(bad).isNotNull();
        }
    }

    @Test
    void rejectsAGenuineTokenReusedForAnotherSearch() {
        String token = tokens.encode(position, "filter A");
        InvalidArgumentException e = catchThrowableOfType(InvalidArgumentException.class,
                () -> tokens.decode("page_token", token, "filter B"));
        assertThat(e.field()).isEqualTo("page_token");
        assertThat(e.description()).contains("another filter");
    }
}
