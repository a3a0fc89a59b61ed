package dev.operator.sks.provider.exoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.ComputeProviderContract;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ImageRejectedException;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderPool;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Exoscale provider against a local fake of the compute API v2 that checks every signature. */
class ExoscaleProviderTest extends ComputeProviderContract {
    private static final ExoscaleCredentials CREDENTIALS =
            new ExoscaleCredentials(FakeExoscaleApi.API_KEY, FakeExoscaleApi.API_SECRET);
    private static FakeExoscaleApi fake;
    private static ExoscaleProvider provider;
    private static final HttpClient HTTP = ExoscaleApi.newHttpClient();

    @BeforeAll
    static void startFake() throws IOException {
        fake = new FakeExoscaleApi();
        provider = provider(CREDENTIALS, Clock.systemUTC());
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    /** Its endpoint puts the zone in the path, so the test sees that {zone} is filled in. */
    private static ExoscaleProvider provider(ExoscaleCredentials credentials, Clock clock) {
        return new ExoscaleProvider(
                HTTP,
                fake.endpoint("/{zone}"),
                ExoscaleCredentialsSource.of(credentials),
                FakeExoscaleApi.UBUNTU,
                clock,
                Duration.ofSeconds(2),
                Duration.ofMillis(20));
    }

    @Override
    protected ComputeProvider provider() {
        return provider;
    }

    @Override
    protected String namespace() {
        return "team-a";
    }

    @Override
    protected int backendPoolsNamed(DesiredPool desired) {
        return fake.poolsNamed(desired.poolName()).size();
    }

    @Override
    protected int backendInstances(DesiredPool desired) {
        return fake.instancesOfPoolsNamed(desired.poolName());
    }

    private DesiredPool fullySpecified() {
        DesiredPool base = desiredPool(2);
        return new DesiredPool(
                base.namespace(),
                base.poolName(),
                base.cluster(),
                base.zone(),
                2,
                new InstanceType("cpu.huge", 16, 32768, 0),
                120,
                FakeExoscaleApi.DEBIAN,
                "workers",
                List.of("sks-nodes", fake.referenceId("security-group", "default")),
                List.of("workers"),
                List.of("internal"),
                Optional.of("dedicated-1"),
                base.nodeLabels(),
                base.taints(),
                base.userData(),
                base.userDataSecretName(),
                Optional.empty());
    }

    @Test
    void thePoolIsMadeWithEverySettingResolvedToExoscaleIds() throws ProviderException {
        DesiredPool desired = fullySpecified();
        ProviderPool pool = converge(desired);

        FakeExoscaleApi.Pool made = fake.poolsNamed(desired.poolName()).get(0);
        assertThat(pool.providerId()).isEqualTo(made.id);
        assertThat(made.instanceTypeId).isEqualTo(fake.instanceTypeId("cpu.huge"));
        assertThat(made.templateId).isEqualTo(fake.templateId(FakeExoscaleApi.DEBIAN));
        assertThat(made.diskSize).isEqualTo(120);
        assertThat(made.prefix).isEqualTo("workers");
        assertThat(new String(Base64.getDecoder().decode(made.userData), StandardCharsets.UTF_8))
                .isEqualTo(USER_DATA);
        assertThat(made.securityGroups)
                .containsExactly(
                        fake.referenceId("security-group", "sks-nodes"), fake.referenceId("security-group", "default"));
        assertThat(made.antiAffinityGroups).containsExactly(fake.referenceId("anti-affinity-group", "workers"));
        assertThat(made.privateNetworks).containsExactly(fake.referenceId("private-network", "internal"));
        assertThat(made.deployTarget).isEqualTo(fake.referenceId("deploy-target", "dedicated-1"));
        assertThat(made.labels)
                .containsEntry("managed-by", "sks-operator")
                .containsEntry("sks-namespace", "team-a")
                .containsEntry("sks-cluster", "demo");
        assertThat(pool.instances()).allSatisfy(instance -> {
            assertThat(instance.name()).matches("workers-[a-z0-9]{5}");
            assertThat(instance.addresses()).singleElement().asString().startsWith("194.182.");
        });
        assertThat(fake.pathPrefixes()).containsOnly("/ch-gva-2");
    }

    @Test
    void aTemplateTheZoneDoesNotHaveIsRejectedNamingItAndWhatToSet() {
        DesiredPool base = desiredPool(1);
        DesiredPool unknown = new DesiredPool(
                base.namespace(),
                "nodepool-unknown-template-1234",
                base.cluster(),
                base.zone(),
                1,
                base.instanceType(),
                base.diskSizeGib(),
                "quay.io/capk/ubuntu-2404-container-disk:v1.33.5",
                base.instancePrefix(),
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                base.nodeLabels(),
                base.taints(),
                base.userData(),
                base.userDataSecretName(),
                Optional.empty());

        assertThatThrownBy(() -> provider.reconcile(unknown))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining(
                        "no template named 'quay.io/capk/ubuntu-2404-container-disk:v1.33.5' in zone " + base.zone())
                .hasMessageContaining("spec.template");
        assertThat(fake.poolsNamed(unknown.poolName())).isEmpty();
    }

    @Test
    void aPoolWithoutTemplateGetsTheNewestBuildOfTheDefaultOne() {
        DesiredPool desired = desiredPool(1);
        converge(desired);
        assertThat(fake.poolsNamed(desired.poolName()).get(0).templateId)
                .isEqualTo(fake.templateId(FakeExoscaleApi.UBUNTU));
    }

    @Test
    void instanceTypesAndTemplatesAreLookedUpOnce() throws ProviderException {
        ExoscaleProvider fresh = provider(CREDENTIALS, Clock.systemUTC());
        int typesBefore = fake.requests("GET /instance-type");
        int templatesBefore = fake.requests("GET /template");
        DesiredPool first = desiredPool(1);
        fresh.reconcile(first);
        fresh.reconcile(desiredPool(1));
        fresh.reconcile(first.withSize(2));
        assertThat(fake.requests("GET /instance-type") - typesBefore).isEqualTo(1);
        assertThat(fake.requests("GET /template") - templatesBefore).isEqualTo(1);
    }

    @Test
    void aNewUserDataReachesThePoolForMembersMadeLater() throws ProviderException {
        DesiredPool desired = desiredPool(1);
        ProviderPool pool = converge(desired);
        DesiredPool rotated = new DesiredPool(
                desired.namespace(),
                desired.poolName(),
                desired.cluster(),
                desired.zone(),
                1,
                desired.instanceType(),
                desired.diskSizeGib(),
                desired.template(),
                desired.instancePrefix(),
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                Map.of(),
                List.of(),
                "#cloud-config\n# a new token\n",
                Optional.empty(),
                Optional.of(pool.providerId()));

        assertThat(provider.reconcile(rotated).instances()).hasSize(1);

        assertThat(new String(
                        Base64.getDecoder()
                                .decode(fake.poolsNamed(desired.poolName()).get(0).userData),
                        StandardCharsets.UTF_8))
                .isEqualTo("#cloud-config\n# a new token\n");
    }

    @Test
    void namesExoscaleDoesNotKnowAreReportedByName() {
        DesiredPool base = desiredPool(1);
        DesiredPool unknownType = new DesiredPool(
                base.namespace(),
                base.poolName(),
                base.cluster(),
                base.zone(),
                1,
                new InstanceType("standard.colossal", 64, 1 << 20, 0),
                50,
                "",
                "pool",
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                Map.of(),
                List.of(),
                USER_DATA,
                Optional.empty(),
                Optional.empty());
        assertThatThrownBy(() -> provider.reconcile(unknownType))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("no instance type standard.colossal in zone ch-gva-2");
        DesiredPool unknownGroup = new DesiredPool(
                base.namespace(),
                base.poolName(),
                base.cluster(),
                base.zone(),
                1,
                base.instanceType(),
                50,
                "",
                "pool",
                List.of("nope"),
                List.of(),
                List.of(),
                Optional.empty(),
                Map.of(),
                List.of(),
                USER_DATA,
                Optional.empty(),
                Optional.empty());
        assertThatThrownBy(() -> provider.reconcile(unknownGroup))
                .hasMessageContaining("no security-group named 'nope'");
        assertThat(fake.poolsNamed(base.poolName())).isEmpty();
    }

    @Test
    void anApiErrorCarriesTheStatusAndExoscalesMessageButNoSecretNorUserData() {
        DesiredPool desired = desiredPool(1);
        String userDataBase64 = Base64.getEncoder().encodeToString(USER_DATA.getBytes(StandardCharsets.UTF_8));
        fake.rejectNext(
                "POST /instance-pool",
                400,
                "quota exceeded for instances; user-data was " + userDataBase64 + ", secret "
                        + FakeExoscaleApi.API_SECRET);
        assertThatThrownBy(() -> provider.reconcile(desired))
                .isInstanceOf(ExoscaleApiException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("quota exceeded for instances")
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain(FakeExoscaleApi.API_SECRET)
                        .doesNotContain(userDataBase64)
                        .doesNotContain("bootstrap token"));
    }

    @Test
    void aFailedOperationIsReportedWithExoscalesMessage() {
        DesiredPool desired = desiredPool(1);
        fake.failNextOperation("no capacity left for cpu.huge");
        assertThatThrownBy(() -> provider.reconcile(desired))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("ended in failure")
                .hasMessageContaining("no capacity left");
    }

    @Test
    void anUnreachableApiIsAProviderError() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ExoscaleProvider nowhere = new ExoscaleProvider(
                HTTP,
                "http://127.0.0.1:" + closedPort + "/v2",
                ExoscaleCredentialsSource.of(CREDENTIALS),
                FakeExoscaleApi.UBUNTU,
                Clock.systemUTC(),
                Duration.ofSeconds(1),
                Duration.ofMillis(20));
        assertThatThrownBy(() -> nowhere.reconcile(desiredPool(1)))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("did not answer");
    }

    // ---- the signature, seen from the fake's side

    private static HttpResponse<String> send(ExoscaleCredentials credentials, String path, long expires)
            throws IOException, InterruptedException {
        URI uri = URI.create(fake.endpoint("/ch-gva-2") + path);
        String authorization =
                ExoscaleSigner.authorization(credentials, "GET", uri.getRawPath(), Map.of(), "", expires);
        return HTTP.send(
                HttpRequest.newBuilder(uri)
                        .header("Authorization", authorization)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theFakeAcceptsAGoodSignatureAndRejectsAWrongSecretOrAnExpiredOne() throws Exception {
        long inTenMinutes = Instant.now().plusSeconds(600).getEpochSecond();
        assertThat(send(CREDENTIALS, "/instance-type", inTenMinutes).statusCode())
                .isEqualTo(200);

        HttpResponse<String> wrongSecret = send(
                new ExoscaleCredentials(FakeExoscaleApi.API_KEY, "not-the-secret"), "/instance-type", inTenMinutes);
        assertThat(wrongSecret.statusCode()).isEqualTo(403);
        assertThat(wrongSecret.body()).contains("invalid signature");

        HttpResponse<String> expired = send(
                CREDENTIALS, "/instance-type", Instant.now().minusSeconds(1).getEpochSecond());
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(expired.body()).contains("request expired");

        HttpResponse<String> otherKey = send(
                new ExoscaleCredentials("EXOsomeoneelse", FakeExoscaleApi.API_SECRET), "/instance-type", inTenMinutes);
        assertThat(otherKey.statusCode()).isEqualTo(403);
    }

    @Test
    void theFakeRejectsATamperedBodyOrAnUnsignedParameter() throws Exception {
        long expires = Instant.now().plusSeconds(600).getEpochSecond();
        URI scale =
                URI.create(fake.endpoint("/ch-gva-2") + "/instance-pool/00000000-0000-0000-0000-000000000000:scale");
        String signedForThree =
                ExoscaleSigner.authorization(CREDENTIALS, "PUT", scale.getRawPath(), Map.of(), "{\"size\":3}", expires);
        HttpResponse<String> tampered = HTTP.send(
                HttpRequest.newBuilder(scale)
                        .header("Authorization", signedForThree)
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"size\":300}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tampered.statusCode()).isEqualTo(403);

        URI templates = URI.create(fake.endpoint("/ch-gva-2") + "/template?visibility=private");
        String signedWithoutQuery =
                ExoscaleSigner.authorization(CREDENTIALS, "GET", templates.getRawPath(), Map.of(), "", expires);
        HttpResponse<String> unsigned = HTTP.send(
                HttpRequest.newBuilder(templates)
                        .header("Authorization", signedWithoutQuery)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.body()).contains("not the signed ones");
    }

    @Test
    void aWrongSecretSurfacesAs403WithoutTheSecret() {
        ExoscaleProvider wrong = provider(
                new ExoscaleCredentials(FakeExoscaleApi.API_KEY, "wrong-secret-1234567890"), Clock.systemUTC());
        assertThatThrownBy(() -> wrong.reconcile(desiredPool(1)))
                .isInstanceOf(ExoscaleApiException.class)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("invalid signature")
                .satisfies(e -> {
                    assertThat(((ExoscaleApiException) e).status()).isEqualTo(403);
                    assertThat(e.getMessage())
                            .doesNotContain("wrong-secret-1234567890")
                            .doesNotContain(FakeExoscaleApi.API_SECRET);
                });
    }

    @Test
    void aClockFarBehindMakesExpiredSignaturesThatSurfaceAs403() {
        Clock anHourBehind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        ExoscaleProvider late = provider(CREDENTIALS, anHourBehind);
        assertThatThrownBy(() -> late.reconcile(desiredPool(1)))
                .isInstanceOf(ExoscaleApiException.class)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("request expired");
    }

    @Test
    void exoscaleStatesMapToInstanceStates() {
        assertThat(ExoscaleProvider.state("running").name()).isEqualTo("Running");
        assertThat(ExoscaleProvider.state("starting").name()).isEqualTo("Starting");
        assertThat(ExoscaleProvider.state("destroying").name()).isEqualTo("Stopping");
        assertThat(ExoscaleProvider.state("stopped").name()).isEqualTo("Stopping");
        assertThat(ExoscaleProvider.state("error").name()).isEqualTo("Failed");
    }
}
