package dev.labbook.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParamValueTest {

    private static ParamValue roundTrip(ParamValue value) {
        return ParamValue.parse(value.typeName(), value.text());
    }

    private static void assertDoubleRoundTripsBitForBit(double d) {
        ParamValue parsed = roundTrip(new ParamValue.DoubleValue(d));
        assertThat(parsed).isInstanceOf(ParamValue.DoubleValue.class);
        double back = ((ParamValue.DoubleValue) parsed).value();
        assertThat(Double.doubleToLongBits(back))
                .as("%s (text %s)", d, Double.toString(d))
                .isEqualTo(Double.doubleToLongBits(d));
    }

    @Test
    void namesEachType() {
        assertThat(new ParamValue.StringValue("x").typeName()).isEqualTo("string");
        assertThat(new ParamValue.IntValue(1).typeName()).isEqualTo("int");
        assertThat(new ParamValue.DoubleValue(1).typeName()).isEqualTo("double");
        assertThat(new ParamValue.BoolValue(true).typeName()).isEqualTo("bool");
    }

    @Test
    void stringTextIsTheStringItself() {
        String text = " spaces, \"quotes\", newlines\n, ünïcödé and \uD83E\uDDEA ";
        ParamValue value = new ParamValue.StringValue(text);

        assertThat(value.text()).isEqualTo(text);
        assertThat(roundTrip(value)).isEqualTo(value);
        assertThat(roundTrip(new ParamValue.StringValue(""))).isEqualTo(new ParamValue.StringValue(""));
    }

    @Test
    void stringsThatLookLikeNumbersStayStrings() {
        assertThat(ParamValue.parse("string", "42")).isEqualTo(new ParamValue.StringValue("42"));
        assertThat(ParamValue.parse("string", "true").number()).isNull();
    }

    @Test
    void intsRoundTripExactlyIncludingTheExtremes() {
        for (long n : new long[] {0, 1, -1, 42, Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1, -(1L << 53) - 1}) {
            ParamValue value = new ParamValue.IntValue(n);
            assertThat(roundTrip(value)).isEqualTo(value);
        }
        assertThat(new ParamValue.IntValue(Long.MIN_VALUE).text()).isEqualTo("-9223372036854775808");
        assertThat(new ParamValue.IntValue(Long.MAX_VALUE).text()).isEqualTo("9223372036854775807");
    }

    @Test
    void doublesRoundTripBitForBit() {
        double[] samples = {
            0.0, -0.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, Math.PI, Math.E, 1e23, 2e-3, 1e-7, 1e21, 1e22,
            9007199254740993.0, 123456789.123456789, -1.5, 100.0,
            Double.MIN_VALUE, Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Math.nextUp(0.1),
            Double.MAX_VALUE, -Double.MAX_VALUE, Math.nextDown(Double.MAX_VALUE),
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
        };
        for (double d : samples) {
            assertDoubleRoundTripsBitForBit(d);
        }
    }

    @Test
    void randomDoublesRoundTripBitForBit() {
        Random random = new Random(20240501);
        for (int i = 0; i < 20_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isNaN(d)) {
                assertDoubleRoundTripsBitForBit(d);
            }
        }
    }

    @Test
    void specialDoublesHaveReadableText() {
        assertThat(new ParamValue.DoubleValue(Double.NaN).text()).isEqualTo("NaN");
        assertThat(new ParamValue.DoubleValue(Double.POSITIVE_INFINITY).text()).isEqualTo("Infinity");
        assertThat(new ParamValue.DoubleValue(Double.NEGATIVE_INFINITY).text()).isEqualTo("-Infinity");
        assertThat(new ParamValue.DoubleValue(-0.0).text()).isEqualTo("-0.0");
        assertThat(new ParamValue.DoubleValue(0.1).text()).isEqualTo("0.1");
        assertThat(new ParamValue.DoubleValue(Double.MIN_VALUE).text()).isEqualTo("4.9E-324");
    }

    @Test
    void negativeZeroIsNotConfusedWithZero() {
        ParamValue negativeZero = roundTrip(new ParamValue.DoubleValue(-0.0));

        assertThat(negativeZero).isEqualTo(new ParamValue.DoubleValue(-0.0));
        assertThat(negativeZero).isNotEqualTo(new ParamValue.DoubleValue(0.0));
    }

    @Test
    void nanEqualsItselfAfterARoundTrip() {
        assertThat(roundTrip(new ParamValue.DoubleValue(Double.NaN))).isEqualTo(new ParamValue.DoubleValue(Double.NaN));
    }

    @Test
    void doubleTextStaysADoubleEvenForWholeNumbers() {
        ParamValue value = new ParamValue.DoubleValue(3.0);

        assertThat(value.text()).isEqualTo("3.0");
        assertThat(roundTrip(value)).isInstanceOf(ParamValue.DoubleValue.class).isEqualTo(value);
    }

    @Test
    void boolsRoundTrip() {
        assertThat(new ParamValue.BoolValue(true).text()).isEqualTo("true");
        assertThat(new ParamValue.BoolValue(false).text()).isEqualTo("false");
        assertThat(roundTrip(new ParamValue.BoolValue(true))).isEqualTo(new ParamValue.BoolValue(true));
        assertThat(roundTrip(new ParamValue.BoolValue(false))).isEqualTo(new ParamValue.BoolValue(false));
    }

    @Test
    void numberIsTheNumericValueOfIntsAndDoublesOnly() {
        assertThat(new ParamValue.IntValue(-7).number()).isEqualTo(-7.0);
        assertThat(new ParamValue.DoubleValue(0.25).number()).isEqualTo(0.25);
        assertThat(new ParamValue.DoubleValue(Double.NaN).number()).isNaN();
        assertThat(new ParamValue.StringValue("1.5").number()).isNull();
        assertThat(new ParamValue.BoolValue(true).number()).isNull();
    }

    @Test
    void numberOfAHugeIntIsTheNearestDouble() {
        assertThat(new ParamValue.IntValue(Long.MAX_VALUE).number()).isEqualTo(9.223372036854775807E18);
    }

    @ParameterizedTest
    @ValueSource(strings = {"float", "", "STRING", "integer"})
    void refusesUnknownTypeNames(String typeName) {
        assertThatThrownBy(() -> ParamValue.parse(typeName, "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown param type " + typeName);
    }

    @Test
    void refusesIntTextThatIsNotAnInt64() {
        assertThatThrownBy(() -> ParamValue.parse("int", "9223372036854775808"))
                .isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> ParamValue.parse("int", "1.5")).isInstanceOf(NumberFormatException.class);
    }
}
