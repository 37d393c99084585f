package dev.labbook.server.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ServerCacheControl;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.encoding.EncodingService;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.file.HttpFile;
import java.util.function.Function;

/**
 * The web UI's files: {@code web/dist} of the repository, packed by the build into the server jar
 * under {@value #ROOT}/. Files under {@code /assets/} have content hashes in their names, so they
 * are cached for good ({@code immutable}); {@code index.html} is revalidated on every visit
 * ({@code no-cache}) and answers every path that is no file, since the app routes in the browser
 * ({@code /runs/<id>}). A missing asset is a 404, never the index. Text is gzip-compressed when
 * the browser accepts it. A jar built without the app (no Node.js at build time) answers with a
 * page that says so.
 */
public final class WebApp {
    /** Where the app's files are on the class path. */
    public static final String ROOT = "labbook-web";

    /**
     * What the app needs and nothing more: its own scripts, styles and API (same origin), images
     * from its own files, data: URLs (its icon) and blob: URLs (artifact previews). No
     * frame-ancestors: notebooks embed the run page in an iframe.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; "
            + "style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'";

    private final ClassLoader classLoader;

    private WebApp(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** The app in the server jar (or on the test class path). */
    public static WebApp fromClassPath() {
        return new WebApp(WebApp.class.getClassLoader());
    }

    /** Whether the jar holds the app (it was built with Node.js and web/ present). */
    public boolean present() {
        return classLoader.getResource(ROOT + "/index.html") != null;
    }

    void addTo(ServerBuilder server) {
        Function<? super HttpService, EncodingService> gzip = EncodingService.newDecorator();
        if (!present()) {
            server.serviceUnder("/", ((HttpService) (ctx, req) -> HttpResponse.of(HttpStatus.NOT_FOUND,
                    MediaType.PLAIN_TEXT_UTF_8, MISSING)));
            return;
        }
        HttpService index = HttpFile.builder(classLoader, ROOT + "/index.html")
                .cacheControl(ServerCacheControl.REVALIDATED)
                .setHeader("content-security-policy", CONTENT_SECURITY_POLICY)
                .setHeader("x-content-type-options", "nosniff")
                .build()
                .asService();
        FileService assets = FileService.builder(classLoader, ROOT + "/assets")
                .cacheControl(ServerCacheControl.IMMUTABLE)
                .build();
        FileService rootFiles = FileService.builder(classLoader, ROOT)
                .cacheControl(ServerCacheControl.REVALIDATED)
                .build();
        server.serviceUnder("/assets/", assets.decorate(gzip));
        server.service("/", index.decorate(gzip));
        server.serviceUnder("/", rootFiles.orElse(index).decorate(gzip));
    }

    private static final String MISSING = """
            This Labbook server was built without its web UI.

            The UI is built from web/ by the Maven build when Node.js 20+ and npm are on the PATH
            (mvn package runs npm ci and npm run build in web/). Rebuild with Node.js installed,
            e.g. bin/labbook server after installing Node.js.

            The API on this port works without it: POST /labbook.v1.<Service>/<Method> with JSON,
            e.g. curl -H 'content-type: application/json' -d '{}' \\
                   http://localhost:7880/labbook.v1.ProjectService/ListProjects
            """;
}
