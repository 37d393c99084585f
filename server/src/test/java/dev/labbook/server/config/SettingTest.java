package dev.labbook.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SettingTest {

    @Test
    void derivesFlagAndEnvVarFromTheKey() {
        assertThat(Setting.DATA_DIR.key()).isEqualTo("data-dir");
        assertThat(Setting.DATA_DIR.flag()).isEqualTo("--data-dir");
        assertThat(Setting.DATA_DIR.envVar()).isEqualTo("LABBOOK_DATA_DIR");
        assertThat(Setting.MAX_MESSAGE_BYTES.envVar()).isEqualTo("LABBOOK_MAX_MESSAGE_BYTES");
        assertThat(Setting.PORT.flag()).isEqualTo("--port");
        assertThat(Setting.PORT.envVar()).isEqualTo("LABBOOK_PORT");
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void keyFlagAndEnvVarMatchTheConstantName(Setting setting) {
        assertThat(setting.envVar()).isEqualTo("LABBOOK_" + setting.name());
        assertThat(setting.key()).isEqualTo(setting.name().toLowerCase().replace('_', '-'));
        assertThat(setting.flag()).isEqualTo("--" + setting.key());
        assertThat(setting.description()).isNotBlank().endsWith(".");
    }

    @Test
    void flagsAndEnvVarsAreUnique() {
        assertThat(Arrays.stream(Setting.values()).map(Setting::flag)).doesNotHaveDuplicates();
        assertThat(Arrays.stream(Setting.values()).map(Setting::envVar)).doesNotHaveDuplicates()
                .doesNotContain("LABBOOK_CONFIG");
    }

    @Test
    void hasTheDocumentedDefaults() {
        assertThat(Setting.HOST.defaultValue()).isEqualTo("127.0.0.1");
        assertThat(Setting.PORT.defaultValue()).isEqualTo("7800");
        assertThat(Setting.HTTP_PORT.defaultValue()).isEqualTo("7880");
        assertThat(Setting.PUBLIC_URL.defaultValue()).isEmpty();
        assertThat(Setting.DATA_DIR.defaultValue()).isEqualTo("~/.labbook");
        assertThat(Setting.DB_URL.defaultValue()).isEmpty();
        assertThat(Setting.DB_POOL_SIZE.defaultValue()).isEqualTo("10");
        assertThat(Setting.EMBEDDED_DB_PORT.defaultValue()).isEqualTo("0");
        assertThat(Setting.MAX_MESSAGE_BYTES.defaultValue()).isEqualTo(String.valueOf(16 * 1024 * 1024));
    }
}
