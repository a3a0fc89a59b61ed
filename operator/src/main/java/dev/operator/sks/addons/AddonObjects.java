package dev.operator.sks.addons;

import dev.operator.sks.api.Addon;
import dev.operator.sks.api.Cni;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The addons of a tenant cluster, for the images of the version it runs. Always kube-proxy, CoreDNS and the
 * konnectivity agent (a cluster does not work without them); Calico with {@code cni: calico} (the default); and
 * metrics-server and the Exoscale cloud controller when {@code spec.addons} names them (absent, it means
 * metrics-server).
 *
 * <p>{@code cni: none} installs no network plugin and removes none: the user brings theirs. A cluster changed from
 * calico to none keeps the Calico it has (removing the network of running pods would break them); it is no longer
 * updated.
 *
 * <p>Pure: same inputs, same objects, in apply order (RBAC and configuration before the workloads that use them).
 */
public final class AddonObjects {
    private AddonObjects() {}

    public static List<HasMetadata> render(AddonInputs inputs) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.addAll(KubeProxy.objects(inputs));
        if (inputs.cni() == Cni.CALICO) {
            objects.addAll(Calico.objects(inputs));
        }
        objects.addAll(CoreDns.objects(inputs));
        objects.addAll(KonnectivityAgent.objects(inputs));
        for (Addon addon : Addon.values()) {
            if (inputs.enabled(addon)) {
                objects.addAll(optional(addon, inputs));
            }
        }
        return objects;
    }

    /**
     * The objects of the optional addons {@code spec.addons} does not name, to be removed from the tenant (if there and
     * made by the operator). Workloads first, so nothing runs on without its rights; the APIService before the Service
     * it points at, so the API server does not keep an unavailable API.
     */
    public static List<HasMetadata> removed(AddonInputs inputs) {
        List<HasMetadata> objects = new ArrayList<>();
        for (Addon addon : Addon.values()) {
            if (!inputs.enabled(addon)) {
                List<HasMetadata> rendered = new ArrayList<>(optional(addon, inputs));
                Collections.reverse(rendered);
                objects.addAll(rendered);
            }
        }
        return objects;
    }

    private static List<HasMetadata> optional(Addon addon, AddonInputs inputs) {
        return switch (addon) {
            case METRICS_SERVER -> MetricsServer.objects(inputs);
            case CLOUD_CONTROLLER -> CloudController.objects(inputs);
        };
    }
}
