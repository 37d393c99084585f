package dev.labbook.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Random;
import java.util.UUID;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageTokensTest {
    private static final String FINGERPRINT = "experiments|vision|ACTIVE|/resnet";
    private static final UUID LAST_ID = UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057");

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String token, String fingerprint) {
        return assertThatThrownBy(() -> PageTokens.decode("page_token", token, fingerprint))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).isEqualTo("page_token"));
    }

    private static byte[] bytesOf(String token) {
        return Base64.getUrlDecoder().decode(token);
    }

    private static String tokenOf(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Test
    void roundTripsTheLastId() {
        String token = PageTokens.encode(LAST_ID, FINGERPRINT);

        assertThat(PageTokens.decode("page_token", token, FINGERPRINT)).isEqualTo(LAST_ID);
    }

    @Test
    void roundTripsExtremeIds() {
        UUID zero = new UUID(0, 0);
        UUID ones = new UUID(-1L, -1L);
        UUID signBits = new UUID(Long.MIN_VALUE, Long.MIN_VALUE);
        for (UUID id : new UUID[] {zero, ones, signBits}) {
            assertThat(PageTokens.decode("page_token", PageTokens.encode(id, ""), "")).isEqualTo(id);
        }
    }

    @Test
    void roundTripsManyRandomIdsAsShortUrlSafeTokens() {
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            String token = PageTokens.encode(id, FINGERPRINT);

            assertThat(token).matches("[A-Za-z0-9_-]{34}");
            assertThat(PageTokens.decode("page_token", token, FINGERPRINT)).isEqualTo(id);
        }
    }

    @Test
    void isDeterministic() {
        assertThat(PageTokens.encode(LAST_ID, FINGERPRINT)).isEqualTo(PageTokens.encode(LAST_ID, FINGERPRINT));
    }

    @Test
    void emptyOrNullTokenMeansTheFirstPage() {
        assertThat(PageTokens.decode("page_token", "", FINGERPRINT)).isNull();
        assertThat(PageTokens.decode("page_token", null, FINGERPRINT)).isNull();
    }

    @Test
    void refusesATokenIssuedForOtherListingArguments() {
        String token = PageTokens.encode(LAST_ID, FINGERPRINT);

        assertRejected(token, "experiments|vision|ACTIVE|/other")
                .hasMessage("page_token: was issued for a listing with other arguments");
        assertRejected(token, "experiments|nlp|ACTIVE|/resnet");
        assertRejected(token, "experiments|vision|DELETED|/resnet");
        assertRejected(token, "runs|vision|ACTIVE|/resnet");
    }

    @Test
    void refusesATokenWhoseFingerprintBytesWereChanged() {
        byte[] bytes = bytesOf(PageTokens.encode(LAST_ID, FINGERPRINT));
        bytes[20] ^= 0x01;

        assertRejected(tokenOf(bytes), FINGERPRINT).hasMessageContaining("other arguments");
    }

    @Test
    void refusesATokenOfAnotherFormatVersion() {
        byte[] bytes = bytesOf(PageTokens.encode(LAST_ID, FINGERPRINT));
        bytes[0] = 2;

        assertRejected(tokenOf(bytes), FINGERPRINT)
                .hasMessage("page_token: is not a token returned by this listing");
    }

    @Test
    void refusesTruncatedAndExtendedTokens() {
        String token = PageTokens.encode(LAST_ID, FINGERPRINT);
        byte[] bytes = bytesOf(token);
        byte[] longer = java.util.Arrays.copyOf(bytes, 22);

        assertRejected(token.substring(0, token.length() - 1), FINGERPRINT)
                .hasMessageContaining("is not a token returned by this listing");
        assertRejected(token.substring(0, 24), FINGERPRINT).hasMessageContaining("is not a token");
        assertRejected(tokenOf(longer), FINGERPRINT).hasMessageContaining("is not a token");
        assertRejected(token + "AAAA", FINGERPRINT).hasMessageContaining("is not a token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage!", "not a token", "AAAA", "A", "====", "%2F%2F", "abc+/def", "\u00e9\u00e9\u00e9\u00e9"})
    void refusesGarbage(String token) {
        assertRejected(token, FINGERPRINT).hasMessage("page_token: is not a token returned by this listing");
    }

    @Test
    void namesTheGivenField() {
        assertThatThrownBy(() -> PageTokens.decode("next", "???", FINGERPRINT))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("next: ");
    }
}
