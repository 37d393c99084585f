package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web UI's files on the HTTP port (the test class path's labbook-web/ fixture stands in for
 * web/dist): the index for the app's routes, hashed assets cached for good, compression.
 */
@ExtendWith(LabbookServerExtension.class)
class WebAppIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpResponse<byte[]> get(TestServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.httpUrl() + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void theIndexIsRevalidatedOnEveryVisit(TestServer server) throws Exception {
        HttpResponse<byte[]> index = get(server, "/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(index.headers().firstValue("cache-control")).hasValueSatisfying(
                cache -> assertThat(cache).contains("no-cache"));
        assertThat(text(index)).contains("<div id=\"app\">");
        // Only the app's own origin; still embeddable (notebook widgets show the run page in an iframe).
        assertThat(index.headers().firstValue("content-security-policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'", "connect-src 'self'")
                        .doesNotContain("frame-ancestors"));
        assertThat(index.headers().firstValue("x-frame-options")).isEmpty();
        // The ETag lets a revalidation answer 304 without the body.
        String etag = index.headers().firstValue("etag").orElseThrow();
        assertThat(get(server, "/", "if-none-match", etag).statusCode()).isEqualTo(304);
    }

    @Test
    void everyRouteOfTheAppGetsTheIndex(TestServer server) throws Exception {
        for (String route : new String[] {"/experiments", "/runs/0190a2b4-0000-7000-8000-000000000001?tab=charts",
                "/experiments/abc/runs", "/compare?runs=a,b,c"}) {
            HttpResponse<byte[]> page = get(server, route);
            assertThat(page.statusCode()).as(route).isEqualTo(200);
            assertThat(text(page)).as(route).contains("<div id=\"app\">");
            assertThat(page.headers().firstValue("cache-control")).hasValueSatisfying(
                    cache -> assertThat(cache).contains("no-cache"));
        }
    }

    @Test
    void hashedAssetsAreImmutableAndAMissingOneIsNotFound(TestServer server) throws Exception {
        HttpResponse<byte[]> script = get(server, "/assets/index-Tst0Fx1a.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).contains("javascript"));
        assertThat(script.headers().firstValue("cache-control")).hasValueSatisfying(
                cache -> assertThat(cache).contains("immutable").contains("max-age=31536000"));
        assertThat(text(script)).contains("export const route0");
        assertThat(get(server, "/assets/index-Tst0Fx1b.css").headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));

        // A stale page asking for an asset of an older build must see the 404, not the index.
        assertThat(get(server, "/assets/index-0ld0ld00.js").statusCode()).isEqualTo(404);
    }

    @Test
    void otherFilesAtTheRootAreServedAsThemselves(TestServer server) throws Exception {
        HttpResponse<byte[]> icon = get(server, "/favicon.svg");
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("image/svg+xml"));
        assertThat(text(icon)).startsWith("<svg");
    }

    @Test
    void textIsCompressedForBrowsersThatAcceptIt(TestServer server) throws Exception {
        HttpResponse<byte[]> plain = get(server, "/assets/index-Tst0Fx1a.js");
        HttpResponse<byte[]> gzipped = get(server, "/assets/index-Tst0Fx1a.js", "accept-encoding", "gzip");
        assertThat(gzipped.headers().firstValue("content-encoding")).contains("gzip");
        assertThat(gzipped.body().length).isLessThan(plain.body().length / 2);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
    }

    @Test
    void theApiRoutesAreNotShadowedByTheApp(TestServer server) throws Exception {
        // A GET of an API path is no app route: gRPC answers (it wants a POST), not the index.
        HttpResponse<byte[]> get = get(server, "/labbook.v1.ProjectService/ListProjects");
        assertThat(text(get)).doesNotContain("<div id=\"app\">");
    }
}
