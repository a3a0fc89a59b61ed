package dev.operator.sks.rendering;

import static dev.operator.sks.rendering.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.operator.sks.catalog.KubernetesVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdRendererTest {

    @Test
    void starterRunsOneMemberProThree() {
        assertThat(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter()))
                        .getSpec()
                        .getReplicas())
                .isEqualTo(1);
        assertThat(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()))
                        .getSpec()
                        .getReplicas())
                .isEqualTo(3);
    }

    @Test
    void statefulSetUsesThePeerServiceParallelStartAndAClaimPerMember() {
        StatefulSet sts = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()));

        assertThat(sts.getMetadata().getName()).isEqualTo("demo-etcd");
        assertThat(sts.getSpec().getServiceName()).isEqualTo("demo-etcd-peer");
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(sts.getSpec().getSelector().getMatchLabels())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("sks.operator.dev/cluster", "demo", "app.kubernetes.io/component", "etcd"));
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
        assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("data");
            assertThat(claim.getMetadata().getLabels()).containsEntry("sks.operator.dev/cluster", "demo");
            assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("10Gi"));
        });
        // No PVC retention policy: management clusters before 1.27 reject it in server-side apply; the claims carry
        // the cluster label instead, and the cluster's teardown deletes them.
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy()).isNull();
        assertThat(container(sts).getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getName()).isEqualTo("data"));
    }

    @Test
    void immutableFieldsDoNotDependOnLevelOrVersion() {
        StatefulSet starter = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_32));
        StatefulSet pro = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro(), Fixtures.V1_34));

        assertThat(pro.getSpec().getSelector()).isEqualTo(starter.getSpec().getSelector());
        assertThat(pro.getSpec().getServiceName()).isEqualTo(starter.getSpec().getServiceName());
        assertThat(pro.getSpec().getPodManagementPolicy())
                .isEqualTo(starter.getSpec().getPodManagementPolicy());
        assertThat(pro.getSpec().getVolumeClaimTemplates())
                .isEqualTo(starter.getSpec().getVolumeClaimTemplates());
    }

    @Test
    void flagsServeTlsToClientsAndPeersWithClientCertificatesRequired() {
        List<String> args = container(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter())))
                .getArgs();

        assertThat(single(args, "name")).isEqualTo("$(POD_NAME)");
        assertThat(single(args, "listen-client-urls")).isEqualTo("https://0.0.0.0:2379");
        assertThat(single(args, "advertise-client-urls"))
                .isEqualTo("https://$(POD_NAME).demo-etcd-peer.tenant-a.svc:2379");
        assertThat(single(args, "listen-peer-urls")).isEqualTo("https://0.0.0.0:2380");
        assertThat(single(args, "initial-advertise-peer-urls"))
                .isEqualTo("https://$(POD_NAME).demo-etcd-peer.tenant-a.svc:2380");
        assertThat(single(args, "initial-cluster-state")).isEqualTo("new");
        assertThat(single(args, "initial-cluster-token")).isEqualTo("demo");
        assertThat(single(args, "client-cert-auth")).isEqualTo("true");
        assertThat(single(args, "peer-client-cert-auth")).isEqualTo("true");
        assertThat(single(args, "trusted-ca-file")).isEqualTo("/etc/etcd/pki/server/ca.crt");
        assertThat(single(args, "cert-file")).isEqualTo("/etc/etcd/pki/server/tls.crt");
        assertThat(single(args, "key-file")).isEqualTo("/etc/etcd/pki/server/tls.key");
        assertThat(single(args, "peer-trusted-ca-file")).isEqualTo("/etc/etcd/pki/peer/ca.crt");
        assertThat(single(args, "peer-cert-file")).isEqualTo("/etc/etcd/pki/peer/tls.crt");
        assertThat(single(args, "peer-key-file")).isEqualTo("/etc/etcd/pki/peer/tls.key");
        assertThat(single(args, "listen-metrics-urls")).isEqualTo("http://0.0.0.0:2381");
        assertThat(single(args, "data-dir")).isEqualTo("/var/lib/etcd/data");
        assertThat(args)
                .extracting(a -> a.substring(0, a.indexOf('=')))
                .isSorted()
                .doesNotHaveDuplicates();
    }

    @Test
    void certificatesComeFromTheServerAndPeerSecrets() {
        PodSpec pod = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter()))
                .getSpec()
                .getTemplate()
                .getSpec();

        assertThat(Fixtures.volume(pod.getVolumes(), "server-tls").getSecret().getSecretName())
                .isEqualTo("demo-etcd-server");
        assertThat(Fixtures.volume(pod.getVolumes(), "peer-tls").getSecret().getSecretName())
                .isEqualTo("demo-etcd-peer");
    }

    @Test
    void initialClusterListsOneMemberForStarter() {
        assertThat(EtcdRenderer.initialCluster(Fixtures.inputs(Fixtures.starter())))
                .isEqualTo("demo-etcd-0=https://demo-etcd-0.demo-etcd-peer.tenant-a.svc:2380");
    }

    @Test
    void initialClusterListsEveryMemberForPro() {
        List<String> args = container(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro())))
                .getArgs();

        assertThat(single(args, "initial-cluster"))
                .isEqualTo("demo-etcd-0=https://demo-etcd-0.demo-etcd-peer.tenant-a.svc:2380,"
                        + "demo-etcd-1=https://demo-etcd-1.demo-etcd-peer.tenant-a.svc:2380,"
                        + "demo-etcd-2=https://demo-etcd-2.demo-etcd-peer.tenant-a.svc:2380");
    }

    @Test
    void aGrowingClusterRunsTheMembersSoFarAndTheNextJoinsTheExistingCluster() {
        StatefulSet growing = EtcdRenderer.statefulSet(
                Fixtures.inputs(Fixtures.pro()), new EtcdLayout(2, 1, EtcdLayout.InitialClusterState.EXISTING));
        List<String> args = container(growing).getArgs();

        assertThat(growing.getSpec().getReplicas()).isEqualTo(2);
        assertThat(single(args, "initial-cluster"))
                .as("exactly the membership once the learner is added")
                .isEqualTo("demo-etcd-0=https://demo-etcd-0.demo-etcd-peer.tenant-a.svc:2380,"
                        + "demo-etcd-1=https://demo-etcd-1.demo-etcd-peer.tenant-a.svc:2380");
        assertThat(single(args, "initial-cluster-state")).isEqualTo("existing");
        assertThat(growing.getMetadata().getAnnotations()).containsEntry("sks.operator.dev/etcd-voting-members", "1");
        assertThat(growing.getSpec().getPodManagementPolicy())
                .as("immutable: the same as a new cluster's")
                .isEqualTo("Parallel");
    }

    @Test
    void aClusterMadeAtItsSizeStartsEveryMemberAsNewAndAllVote() {
        StatefulSet pro = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()));

        assertThat(pro).isEqualTo(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()), EtcdLayout.fresh(3)));
        assertThat(single(container(pro).getArgs(), "initial-cluster-state")).isEqualTo("new");
        assertThat(pro.getMetadata().getAnnotations()).containsEntry("sks.operator.dev/etcd-voting-members", "3");
    }

    @Test
    void theLayoutReadsBackFromTheRenderedStatefulSet() {
        for (EtcdLayout layout : List.of(
                EtcdLayout.fresh(1),
                EtcdLayout.fresh(3),
                new EtcdLayout(2, 1, EtcdLayout.InitialClusterState.EXISTING),
                new EtcdLayout(3, 3, EtcdLayout.InitialClusterState.EXISTING))) {
            assertThat(EtcdLayout.of(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()), layout)))
                    .isEqualTo(layout);
        }
    }

    @Test
    void aGrownClusterRendersTheSameAgainFromWhatItObserves() {
        StatefulSet grown = EtcdRenderer.statefulSet(
                Fixtures.inputs(Fixtures.pro()), new EtcdLayout(3, 3, EtcdLayout.InitialClusterState.EXISTING));

        assertThat(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()), EtcdLayout.of(grown)))
                .as("no roll on every reconcile once grown")
                .isEqualTo(grown);
    }

    @Test
    void aStatefulSetFromBeforeGrowthExistedCountsAsAllVoting() {
        StatefulSet older = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()));
        older.getMetadata().getAnnotations().remove("sks.operator.dev/etcd-voting-members");

        assertThat(EtcdLayout.of(older)).isEqualTo(EtcdLayout.fresh(3));
    }

    @Test
    void aLayoutCannotHaveMoreVotersThanMembers() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new EtcdLayout(1, 2, EtcdLayout.InitialClusterState.NEW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void peerUrlsAreTheInitialClusterEntries() {
        ControlPlaneInputs inputs = Fixtures.inputs(Fixtures.pro());

        assertThat(EtcdRenderer.initialCluster(inputs, 2))
                .isEqualTo("demo-etcd-0=" + EtcdRenderer.peerUrl(inputs, 0) + ",demo-etcd-1="
                        + EtcdRenderer.peerUrl(inputs, 1));
    }

    @Test
    void podNameComesFromTheDownwardApi() {
        Container etcd = container(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter())));

        assertThat(etcd.getEnv()).singleElement().satisfies(env -> {
            assertThat(env.getName()).isEqualTo("POD_NAME");
            assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        });
    }

    @Test
    void imageAndVersionSpecificFlagsFollowTheCatalog() {
        List<String> etcd35 = container(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_33)))
                .getArgs();
        Container etcd36 = container(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_34)));

        assertThat(container(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_32)))
                        .getImage())
                .isEqualTo("registry.k8s.io/etcd:3.5.16-0");
        assertThat(single(etcd35, "experimental-watch-progress-notify-interval"))
                .isEqualTo("5s");
        assertThat(single(etcd35, "experimental-initial-corrupt-check")).isEqualTo("true");
        assertThat(etcd36.getImage()).isEqualTo("registry.k8s.io/etcd:3.6.4-0");
        assertThat(single(etcd36.getArgs(), "watch-progress-notify-interval")).isEqualTo("5s");
        assertThat(single(etcd36.getArgs(), "feature-gates")).isEqualTo("InitialCorruptCheck=true");
        assertThat(etcd36.getArgs()).noneMatch(a -> a.startsWith("--experimental-"));
    }

    @Test
    void theQuotaIsThreeQuartersOfTheVolumeAndAtMostEightGibibytes() {
        assertThat(EtcdRenderer.quotaBackendBytes(new Quantity("10Gi"))).isEqualTo(8_053_063_680L);
        assertThat(EtcdRenderer.quotaBackendBytes(new Quantity("2Gi"))).isEqualTo(1_610_612_736L);
        assertThat(EtcdRenderer.quotaBackendBytes(new Quantity("20G"))).isEqualTo(8L << 30);
        assertThat(EtcdRenderer.quotaBackendBytes(new Quantity("100Gi"))).isEqualTo(8L << 30);
        assertThat(EtcdRenderer.quotaBackendBytes(new Quantity("16Mi"))).isEqualTo(12L << 20);
    }

    @Test
    void membersRunWithTheQuotaOfTheirClaimAndCompactHourly() {
        StatefulSet etcd = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()));
        List<String> args = container(etcd).getArgs();
        Quantity claimed = etcd.getSpec()
                .getVolumeClaimTemplates()
                .get(0)
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage");

        assertThat(single(args, "quota-backend-bytes"))
                .isEqualTo(Long.toString(EtcdRenderer.quotaBackendBytes(claimed)))
                .isEqualTo("8053063680");
        assertThat(single(args, "auto-compaction-mode")).isEqualTo("periodic");
        assertThat(single(args, "auto-compaction-retention")).isEqualTo("1h");
    }

    @Test
    void readsTheEtcdReleaseFromTheImageTag() {
        assertThat(EtcdRenderer.isEtcd35OrOlder("registry.k8s.io/etcd:3.5.21-0"))
                .isTrue();
        assertThat(EtcdRenderer.isEtcd35OrOlder("quay.io/coreos/etcd:v3.4.30")).isTrue();
        assertThat(EtcdRenderer.isEtcd35OrOlder("registry.k8s.io/etcd:3.6.4-0")).isFalse();
        assertThat(EtcdRenderer.isEtcd35OrOlder("registry.example:5000/etcd:3.7.0"))
                .isFalse();
        assertThat(EtcdRenderer.isEtcd35OrOlder("registry.example:5000/etcd")).isFalse();
    }

    @Test
    void probesUseTheMetricsPort() {
        Container etcd = container(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter())));

        assertHttp(etcd.getLivenessProbe(), "/livez");
        assertHttp(etcd.getReadinessProbe(), "/readyz");
        assertHttp(etcd.getStartupProbe(), "/readyz");
        assertThat(etcd.getResources().getRequests()).containsKeys("cpu", "memory");
    }

    @Test
    void runsAsNonRootWithoutPrivileges() {
        PodSpec pod = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter()))
                .getSpec()
                .getTemplate()
                .getSpec();

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getFsGroup()).isNotNull();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getContainers().get(0).getSecurityContext().getAllowPrivilegeEscalation())
                .isFalse();
        assertThat(pod.getContainers()
                        .get(0)
                        .getSecurityContext()
                        .getCapabilities()
                        .getDrop())
                .containsExactly("ALL");
    }

    @Test
    void proSpreadsMembersStarterDoesNot() {
        PodSpec pro = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro()))
                .getSpec()
                .getTemplate()
                .getSpec();
        PodSpec starter = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter()))
                .getSpec()
                .getTemplate()
                .getSpec();

        assertThat(pro.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .singleElement()
                .satisfies(term -> {
                    assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                    assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
                            .containsEntry("app.kubernetes.io/component", "etcd");
                });
        assertThat(pro.getTopologySpreadConstraints())
                .extracting(c -> c.getTopologyKey())
                .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        assertThat(starter.getAffinity()).isNull();
        assertThat(starter.getTopologySpreadConstraints()).isEmpty();
    }

    @Test
    void peerServiceIsHeadlessAndPublishesMembersBeforeTheyAreReady() {
        Service peer = EtcdRenderer.peerService(Fixtures.inputs(Fixtures.starter()));

        assertThat(peer.getMetadata().getName()).isEqualTo("demo-etcd-peer");
        assertThat(peer.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(peer.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(peer.getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactly(tuple("client", 2379), tuple("peer", 2380));
        assertThat(peer.getSpec().getSelector()).containsEntry("app.kubernetes.io/component", "etcd");
    }

    @Test
    void clientServiceServesPort2379() {
        Service client = EtcdRenderer.clientService(Fixtures.inputs(Fixtures.starter()));

        assertThat(client.getMetadata().getName()).isEqualTo("demo-etcd-client");
        assertThat(client.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(client.getSpec().getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getPort()).isEqualTo(2379));
        assertThat(client.getSpec().getPublishNotReadyAddresses()).isNull();
    }

    @Test
    void proKeepsQuorumThroughVoluntaryDisruptions() {
        assertThat(EtcdRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.starter())))
                .isEmpty();
        assertThat(EtcdRenderer.podDisruptionBudget(Fixtures.inputs(Fixtures.pro())))
                .hasValueSatisfying(pdb -> {
                    assertThat(pdb.getMetadata().getName()).isEqualTo("demo-etcd");
                    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
                    assertThat(pdb.getSpec().getSelector().getMatchLabels())
                            .containsEntry("app.kubernetes.io/component", "etcd");
                });
    }

    @Test
    void recordsTheVersionItWasRenderedFor() {
        StatefulSet sts = EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_32));

        assertThat(Rollouts.renderedVersion(sts)).contains(Fixtures.V1_32);
        // Not on the pod template: a patch upgrade that keeps etcd's image must not restart etcd.
        assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKey("sks.operator.dev/kubernetes-version");
        assertThat(sts.getSpec().getTemplate())
                .isEqualTo(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.starter(), KubernetesVersion.of("1.32.0")))
                        .getSpec()
                        .getTemplate());
    }

    private static void assertHttp(Probe probe, String path) {
        assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    }

    static Container container(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    }
}
