package dev.operator.sks.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.provider.CloudControllerCredentials;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KubeVirtCcmCredentialsTest {
    private static final CloudControllerCredentials.Cluster CLUSTER =
            new CloudControllerCredentials.Cluster("uid-1", "team-a", "demo", "ch-gva-2");

    @Test
    void aTokenIsRenewedOnceLessThanAThirdOfItIsLeft() {
        Instant issued = Instant.parse("2026-11-30T00:00:00Z");

        assertThat(KubeVirtCcmCredentials.renewAfter(issued, issued.plus(Duration.ofHours(24))))
                .isEqualTo(Instant.parse("2026-11-30T16:00:00Z"));
        // An expiry before the request (a clock far off) renews at once rather than never.
        assertThat(KubeVirtCcmCredentials.renewAfter(issued, issued.minusSeconds(5)))
                .isEqualTo(issued);
    }

    @Test
    void theRoleAllowsOnlyServicesAndReadingVirtualMachineInstances() {
        assertThat(KubeVirtCcmCredentials.role(CLUSTER).getRules())
                .extracting(r -> String.join(",", r.getApiGroups()) + "/" + String.join(",", r.getResources()) + " "
                        + String.join(",", r.getVerbs()))
                .containsExactly(
                        "/services get,list,watch,create,update,delete",
                        "kubevirt.io/virtualmachineinstances get,list,watch");
    }

    @Test
    void allThreeObjectsAreTheClustersAndTheBindingNamesItsAccount() {
        RoleBinding binding = KubeVirtCcmCredentials.roleBinding(CLUSTER);

        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo("demo-cloud-controller");
        assertThat(binding.getSubjects())
                .singleElement()
                .satisfies(s -> assertThat(s.getKind() + " " + s.getNamespace() + "/" + s.getName())
                        .isEqualTo("ServiceAccount team-a/demo-cloud-controller"));
        for (var object : new io.fabric8.kubernetes.api.model.HasMetadata[] {
            binding, KubeVirtCcmCredentials.role(CLUSTER), KubeVirtCcmCredentials.serviceAccount(CLUSTER)
        }) {
            assertThat(object.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(r -> {
                        assertThat(r.getUid()).isEqualTo("uid-1");
                        assertThat(r.getKind()).isEqualTo("SKSCluster");
                        assertThat(r.getController()).isTrue();
                    });
        }
        assertThat(KubeVirtCcmCredentials.serviceAccount(CLUSTER).getAutomountServiceAccountToken())
                .isFalse();
    }
}
