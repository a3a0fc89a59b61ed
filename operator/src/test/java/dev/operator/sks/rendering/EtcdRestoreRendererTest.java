package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restore step of a cluster made from a backup, as rendered; EtcdBackupRoundTripTest runs its script. */
class EtcdRestoreRendererTest {

    @Test
    void everyMemberRestoresWithItsOwnNameAndTheWholeMembershipFromASecretNotThePodSpec() {
        ControlPlaneInputs inputs = Fixtures.inputs(Fixtures.pro());
        StatefulSet etcd = EtcdRenderer.statefulSet(inputs);
        EtcdRestoreRenderer.addTo(etcd, inputs);
        List<Container> init = etcd.getSpec().getTemplate().getSpec().getInitContainers();
        assertThat(init).extracting(Container::getName).containsExactly("restore-tools", "restore");
        Container restore = init.get(1);
        assertThat(restore.getImage()).isEqualTo(inputs.image(ControlPlaneComponent.ETCD));
        assertThat(restore.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("RESTORE_URL");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("demo-etcd-restore");
            assertThat(e.getValue()).isNull();
        });
        String script = restore.getCommand().get(3);
        assertThat(script)
                .contains("if [ -d /var/lib/etcd/data/member ]; then")
                .contains("sha256sum -c -")
                .contains("etcdutl snapshot restore")
                .contains("--name \"$POD_NAME\"")
                .contains("--initial-cluster " + EtcdRenderer.initialCluster(inputs))
                .contains("--initial-cluster-token demo");
        assertThat(EtcdRenderer.initialCluster(inputs).split(",")).hasSize(3);
        assertThat(etcd.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getName()).isEqualTo("restore-tools"));
    }

    @Test
    void etcd34RestoresWithEtcdctl() {
        assertThat(EtcdRenderer.isEtcd34OrOlder("registry.k8s.io/etcd:3.4.23-0"))
                .isTrue();
        assertThat(EtcdRenderer.isEtcd34OrOlder("registry.k8s.io/etcd:3.5.21-0"))
                .isFalse();
        assertThat(EtcdRenderer.isEtcd34OrOlder("registry.k8s.io/etcd:v3.6.4")).isFalse();
    }
}
