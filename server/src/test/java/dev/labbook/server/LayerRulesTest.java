package dev.labbook.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's layer rules (issue 15, item 8), checked on the compiled main classes: the gRPC
 * layer maps protos to domain calls and never reaches past the domain into the store, SQL or S3;
 * the domain knows no transport or storage technology; the store layer persists domain records and
 * knows nothing of the API ports; S3 lives only in the artifact store.
 *
 * <p>The rules had no violations when written, so there is no allow-list: a rule that fails here
 * names a new dependency across layers, which belongs in a different class, not in an exception.
 */
class LayerRulesTest {
    private static final String ROOT = "dev.labbook.server";

    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(ROOT);
    }

    @Test
    void grpcLayerNeverReachesTheStoreSqlOrS3() {
        ArchRule rule = noClasses().that().resideInAPackage(ROOT + ".grpc..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".store..", "org.jooq..", "io.minio..")
                .because("the gRPC layer maps protos to domain calls; SQL and S3 stay behind the domain");
        rule.check(server);
    }

    @Test
    void mlflowAdapterCallsTheApiOnly() {
        ArchRule rule = noClasses().that().resideInAPackage(ROOT + ".mlflow..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".store..", ROOT + ".domain..", ROOT + ".artifacts..", "org.jooq..", "io.minio..")
                .because("the MLflow API is a transport adapter: it calls the labbook.v1 API in process, so access,"
                        + " audit, limits and validation are those of every client");
        rule.check(server);
    }

    @Test
    void domainKnowsNoTransportOrStorageTechnology() {
        ArchRule rule = noClasses().that().resideInAPackage(ROOT + ".domain..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "org.jooq..", "io.minio..", "com.linecorp.armeria..",
                        "dev.labbook.api..", "com.google.protobuf..", "io.fabric8..",
                        ROOT + ".grpc..", ROOT + ".http..", ROOT + ".store.postgres..", ROOT + ".kubernetes..")
                .because("no gRPC, proto, HTTP, jOOQ, S3 or Kubernetes types in the domain; it sees the stores"
                        + " and the Job launcher through their interfaces");
        rule.check(server);
    }

    @Test
    void storeLayerPersistsDomainRecordsOnly() {
        ArchRule rule = noClasses().that().resideInAPackage(ROOT + ".store..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "com.linecorp.armeria..", "io.minio..",
                        "dev.labbook.api..", "com.google.protobuf..",
                        ROOT + ".grpc..", ROOT + ".http..", ROOT + ".artifacts..")
                .because("the store persists domain records; the API ports and artifact bytes are not its business");
        rule.check(server);
    }

    @Test
    void anUploadSessionSeesOnlyItsNarrowUploadParts() {
        ArchRule rule = noClasses().that().haveFullyQualifiedName(ROOT + ".domain.artifact.UploadSession")
                .should().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".domain.artifact.ArtifactService")
                .because("a session stores and records parts through UploadParts, not by calling back into the service");
        rule.check(server);
    }

    @Test
    void kubernetesOnlyInTheKubernetesPackage() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage(ROOT + ".kubernetes..")
                .should().dependOnClassesThat().resideInAPackage("io.fabric8..")
                .because("the Kubernetes API is the business of KubernetesCompute alone; the rest sees JobLauncher");
        rule.check(server);
    }

    @Test
    void s3OnlyInTheS3ArtifactStore() {
        ArchRule rule = noClasses()
                .that().haveNameNotMatching(ROOT.replace(".", "\\.") + "\\.artifacts\\.S3ArtifactStore(\\$.*)?")
                .should().dependOnClassesThat().resideInAPackage("io.minio..")
                .because("S3 is the business of the S3 artifact store alone");
        rule.check(server);
    }
}
