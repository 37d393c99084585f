package dev.labbook.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The server's version, written into the jar by the build (version.properties). */
public final class ServerVersion {
    private static final String VERSION = read();

    private ServerVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = ServerVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
