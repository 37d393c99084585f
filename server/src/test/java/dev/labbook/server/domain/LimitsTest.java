package dev.labbook.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LimitsTest {

    /** A string of {@code count} copies of {@code unit}. */
    private static String repeat(String unit, int count) {
        return unit.repeat(count);
    }

    /** Asserts that the call is refused with an {@link InvalidArgumentException} naming {@code field}. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(
            ThrowingSupplier<?> call, String field) {
        return assertThatThrownBy(call::get)
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).isEqualTo(field))
                .hasMessageStartingWith(field + ": ");
    }

    @Nested
    class Name {
        @Test
        void acceptsAnOrdinaryNameUnchanged() {
            assertThat(Limits.name("name", "resnet-50 baseline (lr=0.1)")).isEqualTo("resnet-50 baseline (lr=0.1)");
        }

        @Test
        void acceptsInnerSpacesAndNonAsciiLetters() {
            assertThat(Limits.name("name", "Größe  über αβγ 実験")).isEqualTo("Größe  über αβγ 実験");
        }

        @Test
        void rejectsNullAndEmptyAsRequired() {
            assertRejected(() -> Limits.name("name", null), "name").hasMessageContaining("is required");
            assertRejected(() -> Limits.name("name", ""), "name").hasMessageContaining("is required");
        }

        @ParameterizedTest
        @ValueSource(strings = {" ", "   ", "\t", " \t "})
        void rejectsBlankNames(String blank) {
            assertRejected(() -> Limits.name("name", blank), "name").hasMessageContaining("blank");
        }

        @ParameterizedTest
        @ValueSource(strings = {" run", "run ", " run ", "\trun", "run\t", "run\n"})
        void rejectsLeadingOrTrailingWhitespace(String name) {
            assertRejected(() -> Limits.name("name", name), "name")
                    .hasMessageContaining("must not start or end with whitespace");
        }

        @Test
        void accepts256CharactersAndRejects257() {
            assertThat(Limits.name("name", repeat("a", 256))).hasSize(256);
            assertRejected(() -> Limits.name("name", repeat("a", 257)), "name")
                    .hasMessageContaining("longer than 256 characters");
        }

        @Test
        void countsCodePointsNotUtf16UnitsSo256EmojiAreValid() {
            String emoji = "\uD83E\uDDEA"; // U+1F9EA TEST TUBE, two UTF-16 units
            String name = repeat(emoji, 256);
            assertThat(name.length()).isEqualTo(512);

            assertThat(Limits.name("name", name)).isEqualTo(name);
            assertRejected(() -> Limits.name("name", repeat(emoji, 257)), "name")
                    .hasMessageContaining("longer than 256");
        }

        @ParameterizedTest
        @ValueSource(strings = {"a\nb", "a\rb", "a\u0000b", "a\u0007b", "a\u001fb", "a\u007fb", "a\u0085b", "a\tb"})
        void rejectsControlCharactersInside(String name) {
            assertRejected(() -> Limits.name("name", name), "name")
                    .hasMessageContaining("must not contain control characters");
        }

        @Test
        void reportsTheControlCharacterAndItsIndex() {
            assertRejected(() -> Limits.name("run_name", "abc\u007fdef"), "run_name")
                    .hasMessage("run_name: must not contain control characters (found U+007F at index 3)");
        }

        @Test
        void usesTheGivenFieldName() {
            assertRejected(() -> Limits.name("experiment.name", ""), "experiment.name");
        }

        @Test
        void nameKeyLowerCasesIndependentlyOfTheDefaultLocale() {
            assertThat(Limits.nameKey("MNIST Baseline")).isEqualTo("mnist baseline");
            // With a Turkish default locale "I".toLowerCase() would be a dotless i; ROOT keeps it ASCII.
            assertThat(Limits.nameKey("TITLE")).isEqualTo("title");
            assertThat(Limits.nameKey("Run-A")).isEqualTo(Limits.nameKey("run-a"));
        }
    }

    @Nested
    class Project {
        @Test
        void nullOrEmptyMeansTheDefaultProject() {
            assertThat(Limits.project("project", null)).isEqualTo("default");
            assertThat(Limits.project("project", "")).isEqualTo(Limits.DEFAULT_PROJECT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"a", "vision", "Team_A", "nlp-2024", "v1.2", "a.b_c-D9"})
        void acceptsLettersDigitsDotsUnderscoresAndDashes(String project) {
            assertThat(Limits.project("project", project)).isEqualTo(project);
        }

        @Test
        void accepts64CharactersAndRejects65() {
            assertThat(Limits.project("project", repeat("p", 64))).hasSize(64);
            assertRejected(() -> Limits.project("project", repeat("p", 65)), "project")
                    .hasMessageContaining("must be 1-64 characters");
        }

        @ParameterizedTest
        @ValueSource(strings = {"my project", "a/b", "ü", "a:b", " a", "a\n", "proj!", "\u00e9t\u00e9"})
        void rejectsOtherCharacters(String project) {
            assertRejected(() -> Limits.project("project", project), "project");
        }

        @Test
        void quotesTheOffendingValueWithControlCharactersMasked() {
            assertRejected(() -> Limits.project("project", "bad\nname"), "project")
                    .hasMessageContaining("got 'bad?name'");
        }

        @Test
        void abbreviatesLongOffendingValues() {
            String value = repeat("x", 100) + "!";
            assertRejected(() -> Limits.project("project", value), "project")
                    .hasMessageContaining("got '" + repeat("x", 77) + "...'")
                    .hasMessageNotContaining(repeat("x", 78));
        }
    }

    @Nested
    class Description {
        @Test
        void nullMeansEmpty() {
            assertThat(Limits.description("description", null)).isEmpty();
        }

        @Test
        void keepsNewlinesAndTabs() {
            assertThat(Limits.description("description", "line 1\n\tline 2\r\n")).isEqualTo("line 1\n\tline 2\r\n");
        }

        @Test
        void accepts64KibOfUtf8AndRejectsOneByteMore() {
            assertThat(Limits.description("description", repeat("d", 64 * 1024))).hasSize(65536);
            assertRejected(() -> Limits.description("description", repeat("d", 64 * 1024 + 1)), "description")
                    .hasMessage("description: is 65537 bytes; at most 65536 allowed");
        }

        @Test
        void measuresBytesNotCharacters() {
            // "é" is 2 bytes in UTF-8: 32768 of them are exactly 64 KiB.
            assertThat(Limits.description("description", repeat("é", 32 * 1024))).hasSize(32768);
            assertRejected(() -> Limits.description("description", repeat("é", 32 * 1024) + "x"), "description")
                    .hasMessageContaining("65537 bytes");
        }

        @Test
        void rejectsNul() {
            assertRejected(() -> Limits.description("description", "a\u0000b"), "description")
                    .hasMessageContaining("NUL");
        }
    }

    @Nested
    class Folder {
        @Test
        void nullEmptyAndSlashMeanTheRoot() {
            assertThat(Limits.folder("folder", null)).isEmpty();
            assertThat(Limits.folder("folder", "")).isEmpty();
            assertThat(Limits.folder("folder", "/")).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"/a", "/a/b", "/vision/resnet/2024-05", "/with space/x", "/..a/b.", "/.hidden"})
        void acceptsAbsolutePathsOfNonEmptySegments(String folder) {
            assertThat(Limits.folder("folder", folder)).isEqualTo(folder);
        }

        @ParameterizedTest
        @ValueSource(strings = {"a", "a/b", "vision/"})
        void requiresALeadingSlash(String folder) {
            assertRejected(() -> Limits.folder("folder", folder), "folder")
                    .hasMessageContaining("must start with '/'")
                    .hasMessageContaining("got '" + folder + "'");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/a/", "/a//b", "//", "//a", "/a/../b", "/a/./b", "/..", "/.", "/a/.."})
        void rejectsEmptyDotAndDotDotSegmentsAndTrailingSlashes(String folder) {
            assertRejected(() -> Limits.folder("folder", folder), "folder")
                    .hasMessageContaining("non-empty segments other than '.' and '..'");
        }

        @Test
        void rejectsControlCharacters() {
            assertRejected(() -> Limits.folder("folder", "/a\nb"), "folder")
                    .hasMessageContaining("control characters (found U+000A at index 2)");
        }

        @Test
        void accepts1024CharactersAndRejects1025() {
            String longest = "/" + repeat("f", 1023);
            assertThat(Limits.folder("folder", longest)).isEqualTo(longest);
            assertRejected(() -> Limits.folder("folder", longest + "f"), "folder")
                    .hasMessageContaining("longer than 1024 characters");
        }

        @Test
        void usesTheGivenFieldName() {
            assertRejected(() -> Limits.folder("folder_prefix", "x"), "folder_prefix");
        }
    }

    @Nested
    class Key {
        @ParameterizedTest
        @ValueSource(strings = {"lr", "optimizer/lr", "model.layers", "a-b_c", "epoch:1", "batch size", "A9"})
        void acceptsLettersDigitsAndTheAllowedPunctuation(String key) {
            assertThat(Limits.key("key", key)).isEqualTo(key);
        }

        @ParameterizedTest
        @ValueSource(strings = {"a=b", "a,b", "lr!", "größe", "tab\there", "new\nline", "a\u0000", "quote'", "emoji\uD83E\uDDEA"})
        void rejectsOtherCharacters(String key) {
            assertRejected(() -> Limits.key("key", key), "key")
                    .hasMessageContaining("may contain only letters, digits, '_', '-', '.', '/', ':' and spaces");
        }

        @Test
        void rejectsNullAndEmpty() {
            assertRejected(() -> Limits.key("key", null), "key").hasMessageContaining("is required");
            assertRejected(() -> Limits.key("key", ""), "key").hasMessageContaining("is required");
        }

        @Test
        void accepts250CharactersAndRejects251() {
            assertThat(Limits.key("key", repeat("k", 250))).hasSize(250);
            assertRejected(() -> Limits.key("key", repeat("k", 251)), "key")
                    .hasMessageContaining("longer than 250 characters");
        }
    }

    @Nested
    class Tags {
        private Map<String, String> tagsOf(int count) {
            Map<String, String> tags = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                tags.put("tag" + i, "value" + i);
            }
            return tags;
        }

        @Test
        void acceptsNoTags() {
            assertThat(Limits.tags("tags", Map.of())).isEmpty();
        }

        @Test
        void accepts100TagsAndRejects101() {
            assertThat(Limits.tags("tags", tagsOf(100))).hasSize(100);
            assertRejected(() -> Limits.tags("tags", tagsOf(101)), "tags")
                    .hasMessage("tags: has 101 tags; at most 100 allowed");
        }

        @Test
        void checksKeysWithAKeyFieldName() {
            assertRejected(() -> Limits.tags("tags", Map.of("bad=key", "v")), "tags.key")
                    .hasMessageContaining("'bad=key'");
            assertRejected(() -> Limits.tags("tags", Map.of("", "v")), "tags.key")
                    .hasMessageContaining("is required");
        }

        @Test
        void allowsEmptyValuesAndValuesWithNewlines() {
            Map<String, String> tags = Map.of("empty", "", "multi", "line 1\nline 2");
            assertThat(Limits.tags("tags", tags)).isEqualTo(tags);
        }

        @Test
        void accepts8KibValuesAndRejectsOneByteMore() {
            assertThat(Limits.tags("tags", Map.of("k", repeat("v", 8192)))).containsEntry("k", repeat("v", 8192));
            assertRejected(() -> Limits.tags("tags", Map.of("k", repeat("v", 8193))), "tags[k]")
                    .hasMessage("tags[k]: is 8193 bytes; at most 8192 allowed");
        }

        @Test
        void measuresValuesInUtf8BytesWithMultiByteCharacters() {
            String euro = "\u20ac"; // 3 bytes in UTF-8
            String emoji = "\uD83E\uDDEA"; // 4 bytes in UTF-8
            // 2730 * 3 + 2 = 8192 bytes
            String exactlyFull = repeat(euro, 2730) + "ab";
            assertThat(Limits.tags("tags", Map.of("k", exactlyFull))).containsEntry("k", exactlyFull);
            // 2048 * 4 = 8192 bytes (4096 chars)
            assertThat(Limits.tags("tags", Map.of("k", repeat(emoji, 2048)))).hasSize(1);

            assertRejected(() -> Limits.tags("tags", Map.of("k", repeat(euro, 2731))), "tags[k]")
                    .hasMessageContaining("is 8193 bytes");
            assertRejected(() -> Limits.tags("tags", Map.of("k", repeat(emoji, 2048) + "x")), "tags[k]")
                    .hasMessageContaining("is 8193 bytes");
        }

        @Test
        void rejectsNulInValues() {
            assertRejected(() -> Limits.tags("tags", Map.of("k", "a\u0000")), "tags[k]")
                    .hasMessageContaining("NUL");
        }
    }

    @Nested
    class Params {
        @Test
        void requiresAValue() {
            assertRejected(() -> Limits.paramValue("params[lr].value", null), "params[lr].value")
                    .hasMessageContaining("is required");
        }

        @Test
        void acceptsNonStringValuesOfAnySize() {
            ParamValue big = new ParamValue.IntValue(Long.MAX_VALUE);
            ParamValue nan = new ParamValue.DoubleValue(Double.NaN);
            ParamValue flag = new ParamValue.BoolValue(true);
            assertThat(Limits.paramValue("value", big)).isSameAs(big);
            assertThat(Limits.paramValue("value", nan)).isSameAs(nan);
            assertThat(Limits.paramValue("value", flag)).isSameAs(flag);
        }

        @Test
        void accepts256KibStringsAndRejectsOneByteMore() {
            ParamValue full = new ParamValue.StringValue(repeat("s", 256 * 1024));
            assertThat(Limits.paramValue("value", full)).isSameAs(full);
            assertRejected(() -> Limits.paramValue("value", new ParamValue.StringValue(repeat("s", 256 * 1024 + 1))),
                    "value")
                    .hasMessage("value: is 262145 bytes; at most 262144 allowed");
        }

        @Test
        void measuresStringValuesInUtf8Bytes() {
            String twoBytes = "\u00e9";
            ParamValue full = new ParamValue.StringValue(repeat(twoBytes, 128 * 1024));
            assertThat(Limits.paramValue("value", full)).isSameAs(full);
            assertRejected(() -> Limits.paramValue("value",
                    new ParamValue.StringValue(repeat(twoBytes, 128 * 1024) + "x")), "value")
                    .hasMessageContaining("262145 bytes");
        }

        @Test
        void rejectsNulInStrings() {
            assertRejected(() -> Limits.paramValue("value", new ParamValue.StringValue("\u0000")), "value")
                    .hasMessageContaining("NUL");
        }
    }

    @Nested
    class Source {
        private SourceInfo source(String script, List<String> args, String commit, String host, String dir) {
            return new SourceInfo(script, args, commit, false, host, dir);
        }

        @Test
        void nullMeansEmpty() {
            assertThat(Limits.source("source", null)).isEqualTo(SourceInfo.EMPTY);
        }

        @Test
        void acceptsAFullSource() {
            SourceInfo info = new SourceInfo("train.py", List.of("--lr", "0.1", ""),
                    "0123456789abcdefABCDEF0123456789abcdef01", true, "gpu-node-7", "/home/me/project");
            assertThat(Limits.source("source", info)).isSameAs(info);
        }

        @Test
        void acceptsCommitHashesOfUpTo64HexDigits() {
            assertThat(Limits.source("source", source("", List.of(), "", "", "")).gitCommit()).isEmpty();
            assertThat(Limits.source("source", source("", List.of(), repeat("a", 64), "", "")).gitCommit())
                    .hasSize(64);
            assertRejected(() -> Limits.source("source", source("", List.of(), repeat("a", 65), "", "")),
                    "source.git_commit").hasMessageContaining("hexadecimal");
            assertRejected(() -> Limits.source("source", source("", List.of(), "main", "", "")),
                    "source.git_commit");
        }

        @Test
        void limitsScriptArgsAndWorkingDirTo64KibEach() {
            String full = repeat("x", 64 * 1024);
            String over = full + "x";
            assertThat(Limits.source("source", source(full, List.of(full), "", "", full)).script()).hasSize(65536);

            assertRejected(() -> Limits.source("source", source(over, List.of(), "", "", "")), "source.script");
            assertRejected(() -> Limits.source("source", source("", List.of("ok", over), "", "", "")),
                    "source.args[1]");
            assertRejected(() -> Limits.source("source", source("", List.of(), "", "", over)), "source.working_dir");
        }

        @Test
        void rejectsNulInTextFields() {
            assertRejected(() -> Limits.source("source", source("a\u0000", List.of(), "", "", "")), "source.script");
            assertRejected(() -> Limits.source("source", source("", List.of("\u0000"), "", "", "")),
                    "source.args[0]");
            assertRejected(() -> Limits.source("source", source("", List.of(), "", "", "\u0000")),
                    "source.working_dir");
        }

        @Test
        void allowsAtMost1000Args() {
            List<String> args = new ArrayList<>(Collections.nCopies(1000, "a"));
            assertThat(Limits.source("source", source("", args, "", "", "")).args()).hasSize(1000);
            args.add("a");
            assertRejected(() -> Limits.source("source", source("", args, "", "", "")), "source.args")
                    .hasMessageContaining("more than 1000 arguments");
        }

        @Test
        void limitsHostTo256CharactersWithoutControlCharacters() {
            assertThat(Limits.source("source", source("", List.of(), "", repeat("h", 256), "")).host()).hasSize(256);
            assertRejected(() -> Limits.source("source", source("", List.of(), "", repeat("h", 257), "")),
                    "source.host").hasMessageContaining("longer than 256");
            assertRejected(() -> Limits.source("source", source("", List.of(), "", "host\n", "")), "source.host")
                    .hasMessageContaining("control characters");
        }
    }

    @Nested
    class PageSize {
        @Test
        void zeroMeansTheDefaultOf100() {
            assertThat(Limits.pageSize("page_size", 0)).isEqualTo(100);
        }

        @Test
        void passesValidSizesThrough() {
            assertThat(Limits.pageSize("page_size", 1)).isEqualTo(1);
            assertThat(Limits.pageSize("page_size", 250)).isEqualTo(250);
            assertThat(Limits.pageSize("page_size", 1000)).isEqualTo(1000);
        }

        @Test
        void rejectsSizesAbove1000() {
            assertRejected(() -> Limits.pageSize("page_size", 1001), "page_size")
                    .hasMessage("page_size: must be at most 1000");
            assertRejected(() -> Limits.pageSize("page_size", Integer.MAX_VALUE), "page_size");
        }

        @Test
        void rejectsNegativeSizes() {
            assertRejected(() -> Limits.pageSize("page_size", -1), "page_size")
                    .hasMessage("page_size: must not be negative");
            assertRejected(() -> Limits.pageSize("page_size", Integer.MIN_VALUE), "page_size");
        }
    }

    @Test
    void invalidArgumentExceptionSeparatesFieldAndDescription() {
        InvalidArgumentException e = new InvalidArgumentException("tags[k]", "is 9000 bytes; at most 8192 allowed");
        assertThat(e.field()).isEqualTo("tags[k]");
        assertThat(e.description()).isEqualTo("is 9000 bytes; at most 8192 allowed");
        assertThat(e).hasMessage("tags[k]: is 9000 bytes; at most 8192 allowed").isInstanceOf(LabbookException.class);
    }
}
