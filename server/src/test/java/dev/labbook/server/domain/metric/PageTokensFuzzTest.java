package dev.labbook.server.domain.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.PageTokens;
import dev.labbook.server.domain.search.SearchCursor;
import dev.labbook.server.domain.search.SearchTokens;
import dev.labbook.server.testing.FuzzStats;
import dev.labbook.server.testing.FuzzText;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of page-token decoding: {@link PageTokens} (id- and offset-paged
 * listings), {@link Tokens} (the metric reads) and {@link SearchTokens} (SearchRuns, signed).
 * Lives in the metric package because {@link Tokens} is package-private there. Properties:
 * <ul>
 * <li>any token, as text or as Base64 of any bytes (also bytes behind a correct digest, and for
 *     SearchTokens a correctly signed payload, so the fuzzer reaches the parsing past those
 *     checks), decodes or is refused as INVALID_ARGUMENT with reason INVALID_PAGE_TOKEN naming
 *     the field, never another exception or an allocation the token's size does not justify;</li>
 * <li>what each encoder writes decodes to the same position, and is refused under another
 *     listing's arguments; a SearchRuns token with any byte changed is refused.</li>
 * </ul>
 */
class PageTokensFuzzTest {
    private static final FuzzStats STATS = new FuzzStats("page_tokens");
    private static final String FIELD = "page_token";
    private static final String FINGERPRINT = "listing|fuzz";
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final SearchTokens SEARCH_TOKENS = new SearchTokens(KEY);

    @FuzzTest(maxDuration = "2s")
    void decodesOrRefusesEveryToken(byte[] input) {
        STATS.count();
        String text = FuzzText.decode(input);
        decodeAll(text);
        decodeAll(Base64.getUrlEncoder().withoutPadding().encodeToString(input));
        decodeAll(base64(concat(new byte[] {1}, digest(FINGERPRINT), input)));   // Tokens: NAME
        decodeAll(base64(concat(new byte[] {2}, digest(FINGERPRINT), input)));   // Tokens: HISTORY
        decodeAll(base64(concat(new byte[] {1}, input, digest(FINGERPRINT))));   // PageTokens: version, id
        decodeAll(base64(signed(concat(new byte[] {1}, digest(SearchTokensFingerprint.VALUE), input))));
        roundTrips(input, text);
    }

    private static void decodeAll(String token) {
        refusedOrDecoded(() -> PageTokens.decode(FIELD, token, FINGERPRINT));
        refusedOrDecoded(() -> PageTokens.decodePosition(FIELD, token, FINGERPRINT));
        refusedOrDecoded(() -> Tokens.decodeName(FIELD, token, FINGERPRINT));
        HistoryCursor cursor = refusedOrDecoded(() -> Tokens.decodeHistory(FIELD, token, FINGERPRINT));
        if (cursor != null) {
            assertThat(cursor.tiesSent()).isPositive();
        }
        refusedOrDecoded(() -> SEARCH_TOKENS.decode(FIELD, token, SearchTokensFingerprint.VALUE));
    }

    private static <T> T refusedOrDecoded(Supplier<T> decode) {
        try {
            return decode.get();
        } catch (InvalidArgumentException e) {
            assertThat(e.field()).isEqualTo(FIELD);
            assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PAGE_TOKEN);
            assertThat(e.getMessage()).startsWith(FIELD + ": ");
            return null;
        }
    }

    private static void roundTrips(byte[] input, String text) {
        ByteBuffer in = ByteBuffer.wrap(Arrays.copyOf(input, Math.max(input.length, 32)));
        UUID id = new UUID(in.getLong(), in.getLong());
        long position = in.getLong() & Long.MAX_VALUE;
        long step = in.getLong();
        String token = PageTokens.encode(id, FINGERPRINT);
        assertThat(PageTokens.decode(FIELD, token, FINGERPRINT)).isEqualTo(id);
        assertRefused(() -> PageTokens.decode(FIELD, token, FINGERPRINT + "x"));
        assertThat(PageTokens.decodePosition(FIELD, PageTokens.encodePosition(position, FINGERPRINT), FINGERPRINT))
                .isEqualTo(position);

        String name = text.codePoints().filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        assertThat(Tokens.decodeName(FIELD, Tokens.encodeName(name, FINGERPRINT), FINGERPRINT)).isEqualTo(name);
        assertRefused(() -> Tokens.decodeName(FIELD, Tokens.encodeName(name, FINGERPRINT), FINGERPRINT + "x"));
        HistoryCursor cursor = new HistoryCursor(step, 1 + (position % 1_000_000));
        assertThat(Tokens.decodeHistory(FIELD, Tokens.encodeHistory(cursor, FINGERPRINT), FINGERPRINT))
                .isEqualTo(cursor);

        List<Object> values = new ArrayList<>();
        values.add(input.length % 2 == 0 ? null : Double.longBitsToDouble(step));
        values.add(step);
        values.add(name);
        SearchTokens.Position searchPosition = new SearchTokens.Position(new SearchCursor(values, id), position);
        String searchToken = SEARCH_TOKENS.encode(searchPosition, SearchTokensFingerprint.VALUE);
        SearchTokens.Position back = SEARCH_TOKENS.decode(FIELD, searchToken, SearchTokensFingerprint.VALUE);
        assertThat(back.returned()).isEqualTo(position);
        assertThat(back.cursor().lastId()).isEqualTo(id);
        assertThat(back.cursor().sortValues()).isEqualTo(values);
        assertRefused(() -> SEARCH_TOKENS.decode(FIELD, searchToken, SearchTokensFingerprint.VALUE + "x"));
        byte[] bytes = Base64.getUrlDecoder().decode(searchToken);
        int at = (int) (position % bytes.length);
        bytes[at] ^= (byte) (1 << (step & 7));
        assertRefused(() -> SEARCH_TOKENS.decode(FIELD, base64(bytes), SearchTokensFingerprint.VALUE));
    }

    private static void assertRefused(Runnable decode) {
        assertThatThrownBy(decode::run).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PAGE_TOKEN));
    }

    /** The fingerprint the SearchRuns tokens are issued for in this test. */
    private static final class SearchTokensFingerprint {
        static final String VALUE = "search|fuzz";
    }

    private static byte[] digest(String fingerprint) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8)), 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The payload followed by its truncated HMAC, as SearchTokens signs (same key). */
    private static byte[] signed(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            return concat(payload, Arrays.copyOf(mac.doFinal(payload), 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @AfterAll
    static void writeStats() {
        STATS.write();
    }
}
