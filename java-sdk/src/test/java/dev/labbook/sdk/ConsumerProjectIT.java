package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The SDK as its users get it (issue 17 item 7): {@code examples/java-consumer}, a project with no
 * parent and the one dependency the README names, built by a real Maven, offline, against
 * labbook-proto and labbook-java-sdk as they would be published (the jars, the flattened POMs,
 * the sources and javadoc jars), then run against a real server.
 *
 * <p>The artifacts go to a file repository of this test's own, laid out as a remote one, and not
 * through {@code mvn install}/{@code deploy}: those write into the user's {@code ~/.m2} (deploy
 * keeps remote-metadata copies there), which this test leaves alone. The consumer's Maven gets a
 * fresh local repository and two remote ones, both {@code file://}: the published artifacts,
 * and the build's own local repository read as a remote one for released third-party artifacts
 * (snapshots off, so a stale {@code dev.labbook} install there is never picked). {@code -o} with
 * {@code aether.offline.protocols=file} keeps it offline: nothing but those files can be read.
 * A flattened POM that still named the unpublished parent, a property or a BOM would fail the
 * consumer's build.
 */
@ExtendWith(LabbookServerExtension.class)
class ConsumerProjectIT {
    private static final String GROUP = "dev.labbook";
    private static final String PUBLISHED_ID = "labbook-published";

    @TempDir
    Path tmp;

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException("system property " + name + " is not set (failsafe in java-sdk/pom.xml sets it)");
        }
        return value;
    }

    private final String version = property("labbook.version");
    private final Path root = Path.of(property("labbook.repo.root")).toAbsolutePath().normalize();

    @Test
    void aSeparateMavenProjectBuildsOfflineAgainstThePublishedArtifactsAndLogsARun(TestServer server) throws Exception {
        Path published = tmp.resolve("published");
        publish("labbook-proto", root.resolve("proto/target"), published);
        publish("labbook-java-sdk", root.resolve("java-sdk/target"), published);

        Path consumer = tmp.resolve("consumer");
        copyTree(root.resolve("examples/java-consumer"), consumer);
        assertReadmeCoordinatesAreTheConsumers(consumer.resolve("pom.xml"));

        Path localRepo = tmp.resolve("local-repo");
        Path m2 = Path.of(property("labbook.maven.localRepository")).toAbsolutePath().normalize();
        Path settings = writeSettings(published, m2);
        Path log = tmp.resolve("mvn.log");
        long started = System.nanoTime();
        int exit = run(consumer, log, 240, mvn(), "-o", "-B", "-s", settings.toString(), "-gs",
                Files.writeString(tmp.resolve("global-settings.xml"), "<settings/>\n").toString(),
                "-Dmaven.repo.local=" + localRepo, "-Daether.offline.protocols=file",
                "package", "dependency:build-classpath", "-Dmdep.outputFile=target/classpath.txt");
        String mvnLog = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exit).as("the consumer's Maven build failed (%s):%n%s", log, tail(mvnLog)).isZero();
        System.out.printf("ConsumerProjectIT: consumer build %.1f s%n", (System.nanoTime() - started) / 1e9);

        // Both labbook artifacts came from the published repository, byte for byte, and nothing asked for the parent.
        for (String artifact : List.of("labbook-proto", "labbook-java-sdk")) {
            Path dir = localRepo.resolve("dev/labbook").resolve(artifact).resolve(version);
            assertThat(Files.readString(dir.resolve("_remote.repositories")))
                    .as("where %s came from", artifact).contains(">" + PUBLISHED_ID + "=");
            assertThat(dir.resolve(artifact + "-" + version + ".pom"))
                    .hasSameBinaryContentAs(published.resolve(GROUP.replace('.', '/')).resolve(artifact).resolve(version)
                            .resolve(artifact + "-" + version + ".pom"));
        }
        assertThat(localRepo.resolve("dev/labbook/labbook-parent")).doesNotExist();

        // The versions the consumer gets are the ones the SDK is built and tested with.
        List<Path> classpath = Arrays.stream(Files.readString(consumer.resolve("target/classpath.txt")).trim()
                .split(File.pathSeparator)).map(Path::of).toList();
        Map<String, String> consumerVersions = versionsByArtifact(classpath, localRepo);
        assertThat(consumerVersions).containsEntry("grpc-api", property("labbook.grpc.version"))
                .containsEntry("grpc-netty-shaded", property("labbook.grpc.version"))
                .containsEntry("protobuf-java", property("labbook.protobuf.version"))
                .containsEntry("labbook-java-sdk", version).containsEntry("labbook-proto", version);
        Map<String, String> built = versionsByArtifact(Files.readAllLines(Path.of(property("labbook.sdk.classpath")))
                .stream().flatMap(l -> Arrays.stream(l.split(File.pathSeparator))).filter(s -> !s.isBlank())
                .map(Path::of).toList(), m2);
        Map<String, String> differing = new TreeMap<>();
        consumerVersions.forEach((artifact, v) -> {
            if (built.containsKey(artifact) && !built.get(artifact).equals(v)) {
                differing.put(artifact, v + " (built with " + built.get(artifact) + ")");
            }
        });
        // Not the other way round: Maven gives this module's runtime classpath Armeria's Netty, reached only
        // through the test-scoped server, which no consumer gets or needs.
        assertThat(differing).as("a consumer resolves other versions than the SDK's build").isEmpty();

        // The consumer's own program logs a run to the server.
        Path out = tmp.resolve("consumer.out");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + tmp.resolve("home"), "-cp",
                consumer.resolve("target/labbook-consumer-1.0.jar") + File.pathSeparator
                        + Files.readString(consumer.resolve("target/classpath.txt")).trim(),
                "example.TrackedLoop", server.target()));
        assertThat(run(consumer, out, 120, command.toArray(String[]::new))).as(Files.readString(out)).isZero();
        Matcher m = Pattern.compile("(?m)^run (\\S+)$").matcher(Files.readString(out));
        assertThat(m.find()).as(Files.readString(out)).isTrue();
        try (LabbookClient client = LabbookClient.connect(server.target())) {
            RunInfo info = client.runs().get(m.group(1));
            assertThat(info.name()).isEqualTo("first-run");
            assertThat(info.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(info.params()).containsKey("lr");
            MetricSeries loss = client.metrics().history(info.id(), "train/loss");
            assertThat(loss.size()).isEqualTo(10);
            assertThat(loss.lastValue()).isEqualTo(0.1);
        }
    }

    /** Lays out one artifact as a Maven repository holds it: the jar, the flattened POM, sources and javadoc. */
    private void publish(String artifact, Path target, Path repo) throws Exception {
        Path flattened = target.resolve(".flattened-pom.xml");
        String hint = " (build it in the same run: mvn -pl proto,java-sdk -am verify)";
        assertThat(flattened).as("the flattened POM of " + artifact + hint).exists();
        checkFlattenedPom(artifact, flattened);
        Path dir = repo.resolve(GROUP.replace('.', '/')).resolve(artifact).resolve(version);
        Files.createDirectories(dir);
        String base = artifact + "-" + version;
        Files.copy(flattened, dir.resolve(base + ".pom"));
        boolean javadoc = !Boolean.parseBoolean(property("labbook.javadoc.skip"));
        for (String classifier : javadoc ? List.of("", "-sources", "-javadoc") : List.of("", "-sources")) {
            Path jar = target.resolve(base + classifier + ".jar");
            assertThat(jar).as(jar + hint).exists();
            Files.copy(jar, dir.resolve(base + classifier + ".jar"));
        }
        String pkg = artifact.equals("labbook-proto") ? "dev/labbook/api/v1/" : "dev/labbook/sdk/";
        try (ZipFile sources = new ZipFile(target.resolve(base + "-sources.jar").toFile())) {
            assertThat(sources.stream().map(e -> e.getName()).filter(n -> n.startsWith(pkg) && n.endsWith(".java")))
                    .as("sources of " + artifact).isNotEmpty();
        }
        if (javadoc) {
            try (ZipFile docs = new ZipFile(target.resolve(base + "-javadoc.jar").toFile())) {
                assertThat(docs.getEntry("index.html")).as("javadoc of " + artifact).isNotNull();
                assertThat(docs.stream().map(e -> e.getName()).filter(n -> n.startsWith(pkg) && n.endsWith(".html")))
                        .as("javadoc of " + artifact).isNotEmpty();
            }
        }
    }

    /** What a consumer's Maven must be able to read without this repository: no parent, no properties, no BOMs. */
    private void checkFlattenedPom(String artifact, Path pom) throws Exception {
        String text = Files.readString(pom);
        assertThat(text).as(pom.toString()).doesNotContain("${");
        Element project = parse(pom);
        assertThat(child(project, "parent")).as("<parent> in " + pom).isNull();
        assertThat(child(project, "dependencyManagement")).as("<dependencyManagement> in " + pom).isNull();
        assertThat(child(project, "build")).as("<build> in " + pom).isNull();
        assertThat(text(project, "groupId")).isEqualTo(GROUP);
        assertThat(text(project, "artifactId")).isEqualTo(artifact);
        assertThat(text(project, "version")).isEqualTo(version);
        assertThat(text(project, "name")).as("<name> in " + pom).isNotBlank();
        assertThat(text(project, "description")).as("<description> in " + pom).isNotBlank();
        Element deps = child(project, "dependencies");
        assertThat(deps).as("<dependencies> in " + pom).isNotNull();
        NodeList list = deps.getElementsByTagName("dependency");
        assertThat(list.getLength()).isPositive();
        for (int i = 0; i < list.getLength(); i++) {
            Element dep = (Element) list.item(i);
            String coordinates = text(dep, "groupId") + ":" + text(dep, "artifactId");
            assertThat(text(dep, "version")).as("version of " + coordinates + " in " + pom).isNotBlank();
            assertThat(text(dep, "scope")).as("scope of " + coordinates + " in " + pom).isNotIn("test", "import");
            if (coordinates.startsWith("io.grpc:")) {
                assertThat(text(dep, "version")).as(coordinates).isEqualTo(property("labbook.grpc.version"));
            }
            if (coordinates.startsWith("com.google.protobuf:")) {
                assertThat(text(dep, "version")).as(coordinates).isEqualTo(property("labbook.protobuf.version"));
            }
        }
    }

    /** The README's Maven snippet is what the consumer project uses, and names this build's version. */
    private void assertReadmeCoordinatesAreTheConsumers(Path consumerPom) throws Exception {
        String readme = Files.readString(root.resolve("README.md"));
        Matcher section = Pattern.compile("(?s)\n## Java SDK\n(.*?)\n## ").matcher(readme);
        assertThat(section.find()).as("README.md has a '## Java SDK' section").isTrue();
        Matcher dep = Pattern.compile("(?s)<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>"
                + "\\s*<version>([^<]+)</version>\\s*</dependency>").matcher(section.group(1));
        assertThat(dep.find()).as("a Maven <dependency> in README.md's Java SDK section").isTrue();
        assertThat(List.of(dep.group(1), dep.group(2), dep.group(3))).isEqualTo(List.of(GROUP, "labbook-java-sdk", version));
        assertThat(section.group(1)).as("README.md's Gradle coordinates")
                .contains("implementation(\"" + GROUP + ":labbook-java-sdk:" + version + "\")");
        Element consumerDeps = child(parse(consumerPom), "dependencies");
        assertThat(consumerDeps).as("<dependencies> in " + consumerPom).isNotNull();
        Element only = (Element) consumerDeps.getElementsByTagName("dependency").item(0);
        assertThat(consumerDeps.getElementsByTagName("dependency").getLength()).as(consumerPom.toString()).isEqualTo(1);
        assertThat(List.of(text(only, "groupId"), text(only, "artifactId"), text(only, "version")))
                .as("the consumer project's one dependency").isEqualTo(List.of(dep.group(1), dep.group(2), dep.group(3)));
    }

    private static Element parse(Path xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
    }

    private Path writeSettings(Path published, Path m2) throws IOException {
        // Everything but the published repository goes to the build's local repository, read as a remote
        // one (a local repository holds released artifacts in the same layout); snapshots only from ours.
        String xml = """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>build-local-repository</id>
                      <mirrorOf>*,!%1$s</mirrorOf>
                      <url>%2$s</url>
                    </mirror>
                  </mirrors>
                  <profiles>
                    <profile>
                      <id>consumer-it</id>
                      <repositories>
                        <repository>
                          <id>%1$s</id>
                          <url>%3$s</url>
                          <snapshots><enabled>true</enabled></snapshots>
                        </repository>
                        <repository>
                          <id>central</id>
                          <url>https://repo.maven.apache.org/maven2</url>
                          <snapshots><enabled>false</enabled></snapshots>
                        </repository>
                      </repositories>
                      <pluginRepositories>
                        <pluginRepository>
                          <id>central</id>
                          <url>https://repo.maven.apache.org/maven2</url>
                          <snapshots><enabled>false</enabled></snapshots>
                        </pluginRepository>
                      </pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles>
                    <activeProfile>consumer-it</activeProfile>
                  </activeProfiles>
                </settings>
                """.formatted(PUBLISHED_ID, m2.toUri(), published.toUri());
        return Files.writeString(tmp.resolve("settings.xml"), xml);
    }

    private static String mvn() {
        Path mvn = Path.of(property("labbook.maven.home"), "bin", "mvn");
        return Files.isExecutable(mvn) ? mvn.toString() : "mvn";
    }

    private static int run(Path dir, Path output, int timeoutSeconds, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_"));
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " still running after " + timeoutSeconds + " s:\n"
                    + tail(Files.readString(output)));
        }
        return p.exitValue();
    }

    /**
     * artifactId to version of the jars in a repository (.../artifactId/version/artifactId-version.jar); a reactor
     * module's jar (target/...) is not one.
     */
    private static Map<String, String> versionsByArtifact(List<Path> jars, Path repository) {
        Map<String, String> versions = new TreeMap<>();
        for (Path jar : jars) {
            if (jar.toAbsolutePath().normalize().startsWith(repository) && jar.toString().endsWith(".jar")) {
                versions.put(jar.getParent().getParent().getFileName().toString(), jar.getParent().getFileName().toString());
            }
        }
        return versions;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(f -> !from.relativize(f).startsWith("target")).toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }
}
