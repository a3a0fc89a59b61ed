package dev.operator.sks.provider.kubevirt;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ImageRejectedException;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KubeVirt VirtualMachine per instance, in the InstancePool's namespace of the management cluster. Plain
 * VirtualMachines rather than a VirtualMachinePool: the operator picks exactly which one goes, for eviction and for
 * scaling down (newest first). A pool's VirtualMachines carry {@link Labels#INSTANCE_POOL}; their order is kept in
 * {@link Labels#INSTANCE_ORDINAL_ANNOTATION}.
 *
 * <p>KubeVirt is discovered, not assumed: without {@code kubevirt.io/v1} VirtualMachines every call but delete fails
 * with a message saying so. With CDI ({@code cdi.kubevirt.io} DataVolumes) the root disk is a DataVolume of the
 * pool's disk size imported from the image; without, the image is used as an ephemeral containerDisk.
 */
public final class KubeVirtProvider implements ComputeProvider {
    public static final String NAME = "kubevirt";
    public static final String GROUP_VERSION = "kubevirt.io/v1";
    public static final String CDI_GROUP_VERSION = "cdi.kubevirt.io/v1beta1";
    static final ResourceDefinitionContext VIRTUAL_MACHINES = context("VirtualMachine", "virtualmachines");
    static final ResourceDefinitionContext VIRTUAL_MACHINE_INSTANCES =
            context("VirtualMachineInstance", "virtualmachineinstances");
    /** What discovery found stays true this long; a missing API is looked for again on every call. */
    static final Duration DISCOVERY_TTL = Duration.ofMinutes(5);

    private static final int NAME_ATTEMPTS = 5;
    /** A container image reference: lowercase path components, an optional registry port, tag and sha256 digest. */
    private static final Pattern CONTAINER_IMAGE = Pattern.compile("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?"
            + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
            + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$");

    private static final Logger LOG = LoggerFactory.getLogger(KubeVirtProvider.class);

    private record Discovery(boolean instancesServed, boolean dataVolumesServed, Instant until) {}

    private final KubernetesClient client;
    private final String defaultImage;
    private final Clock clock;
    private final Random random;
    private volatile Discovery discovery;

    /**
     * @param defaultImage the root disk image of pools that name none in their template
     */
    public KubeVirtProvider(KubernetesClient client, String defaultImage, Clock clock) {
        this(client, defaultImage, clock, new Random());
    }

    KubeVirtProvider(KubernetesClient client, String defaultImage, Clock clock, Random random) {
        this.client = client;
        this.defaultImage = defaultImage;
        this.clock = clock;
        this.random = random;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderPool reconcile(DesiredPool desired) throws ProviderException {
        Discovery served = discover();
        String userDataSecret = desired.userDataSecretName()
                .orElseThrow(() -> new ProviderException("instance pool " + desired.key()
                        + " names no user-data Secret, which KubeVirt machines boot from"));
        List<GenericKubernetesResource> all = list(desired);
        List<GenericKubernetesResource> live =
                all.stream().filter(vm -> !isDeleting(vm)).toList();
        boolean changed = false;
        if (live.size() < desired.size()) {
            long ordinal =
                    all.stream().mapToLong(KubeVirtProvider::ordinal).max().orElse(0);
            Set<String> taken = new LinkedHashSet<>();
            all.forEach(vm -> taken.add(vm.getMetadata().getName()));
            for (int i = live.size(); i < desired.size(); i++) {
                create(desired, ++ordinal, userDataSecret, served.dataVolumesServed(), taken);
            }
            changed = true;
        } else if (live.size() > desired.size()) {
            for (int i = live.size() - 1; i >= desired.size(); i--) { // the newest goes first
                deleteVirtualMachine(desired, live.get(i).getMetadata().getName());
            }
            changed = true;
        }
        return describe(desired, changed ? list(desired) : all, served);
    }

    @Override
    public ProviderPool evict(DesiredPool desired, Collection<String> instanceNames) throws ProviderException {
        Discovery served = discover();
        Set<String> names = Set.copyOf(instanceNames);
        List<GenericKubernetesResource> all = list(desired);
        boolean changed = false;
        for (GenericKubernetesResource vm : all) {
            if (names.contains(vm.getMetadata().getName()) && !isDeleting(vm)) {
                deleteVirtualMachine(desired, vm.getMetadata().getName());
                changed = true;
            }
        }
        return describe(desired, changed ? list(desired) : all, served);
    }

    @Override
    public boolean delete(DesiredPool desired) throws ProviderException {
        if (!servesVirtualMachines()) {
            return true; // no KubeVirt, no VirtualMachines: nothing can be left
        }
        List<GenericKubernetesResource> all = list(desired);
        for (GenericKubernetesResource vm : all) {
            if (!isDeleting(vm)) {
                deleteVirtualMachine(desired, vm.getMetadata().getName());
            }
        }
        return all.isEmpty() || list(desired).isEmpty();
    }

    private void create(
            DesiredPool desired, long ordinal, String userDataSecret, boolean dataVolumes, Set<String> taken)
            throws ProviderException {
        String image = image(desired, defaultImage);
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
            String name = Names.kubevirtVirtualMachine(desired.poolName(), Names.randomSuffix(random));
            if (!taken.add(name)) {
                continue;
            }
            GenericKubernetesResource vm =
                    VirtualMachines.render(desired, name, ordinal, image, userDataSecret, dataVolumes);
            try {
                client.genericKubernetesResources(VIRTUAL_MACHINES)
                        .inNamespace(desired.namespace())
                        .resource(vm)
                        .create();
                LOG.info(
                        "created VirtualMachine {}/{} of instance pool {}",
                        desired.namespace(),
                        name,
                        desired.poolName());
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw failure("cannot create VirtualMachine " + name, e);
                }
                // another object took that name: draw another suffix
            }
        }
        throw new ProviderException("found no free VirtualMachine name for instance pool " + desired.key() + " in "
                + NAME_ATTEMPTS + " attempts");
    }

    /**
     * The container disk of the pool's machines: its own, else the operator's default. Refused before any
     * VirtualMachine is made when it is not a container image reference (an Exoscale template name, say), since
     * KubeVirt would accept the VirtualMachine and then fail to pull its disk, far from anyone's eyes.
     */
    static String image(DesiredPool desired, String defaultImage) throws ImageRejectedException {
        String image = desired.template().isEmpty() ? Objects.requireNonNullElse(defaultImage, "") : desired.template();
        if (image.isBlank()) {
            throw new ImageRejectedException("instance pool " + desired.key() + " names no container disk and the "
                    + "operator has no default: set the Nodepool's spec.template or the operator's --kubevirt-image");
        }
        if (!CONTAINER_IMAGE.matcher(image).matches()) {
            throw new ImageRejectedException("'" + image + "' is not a container disk reference: set the Nodepool's "
                    + "spec.template to registry/repository:tag or registry/repository@sha256:digest, e.g. "
                    + "quay.io/capk/ubuntu-2404-container-disk:v1.33.5");
        }
        return image;
    }

    private void deleteVirtualMachine(DesiredPool desired, String name) throws ProviderException {
        try {
            client.genericKubernetesResources(VIRTUAL_MACHINES)
                    .inNamespace(desired.namespace())
                    .withName(name)
                    .delete();
            LOG.info("deleted VirtualMachine {}/{} of instance pool {}", desired.namespace(), name, desired.poolName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw failure("cannot delete VirtualMachine " + name, e);
            }
        }
    }

    /** The pool's VirtualMachines, oldest first. */
    private List<GenericKubernetesResource> list(DesiredPool desired) throws ProviderException {
        try {
            List<GenericKubernetesResource> items = new ArrayList<>(client.genericKubernetesResources(VIRTUAL_MACHINES)
                    .inNamespace(desired.namespace())
                    .withLabel(Labels.INSTANCE_POOL, Labels.value(desired.poolName()))
                    .list()
                    .getItems());
            items.sort(Comparator.comparingLong(KubeVirtProvider::ordinal)
                    .thenComparing(vm -> String.valueOf(vm.getMetadata().getCreationTimestamp()))
                    .thenComparing(vm -> vm.getMetadata().getName()));
            return items;
        } catch (KubernetesClientException e) {
            throw failure("cannot list the VirtualMachines of instance pool " + desired.key(), e);
        }
    }

    private ProviderPool describe(DesiredPool desired, List<GenericKubernetesResource> vms, Discovery served)
            throws ProviderException {
        Map<String, List<String>> addresses = served.instancesServed() ? addresses(desired) : Map.of();
        List<ProviderInstance> instances = new ArrayList<>();
        for (GenericKubernetesResource vm : vms) {
            String name = vm.getMetadata().getName();
            instances.add(new ProviderInstance(
                    vm.getMetadata().getUid(), name, state(vm), addresses.getOrDefault(name, List.of())));
        }
        return new ProviderPool(desired.key(), instances);
    }

    /** IP addresses by VirtualMachineInstance (named as its VirtualMachine), from its interfaces' status. */
    private Map<String, List<String>> addresses(DesiredPool desired) throws ProviderException {
        List<GenericKubernetesResource> vmis;
        try {
            vmis = client.genericKubernetesResources(VIRTUAL_MACHINE_INSTANCES)
                    .inNamespace(desired.namespace())
                    .withLabel(Labels.INSTANCE_POOL, Labels.value(desired.poolName()))
                    .list()
                    .getItems();
        } catch (KubernetesClientException e) {
            throw failure("cannot list the VirtualMachineInstances of instance pool " + desired.key(), e);
        }
        Map<String, List<String>> byName = new HashMap<>();
        for (GenericKubernetesResource vmi : vmis) {
            Set<String> found = new LinkedHashSet<>();
            if (status(vmi).get("interfaces") instanceof List<?> interfaces) {
                for (Object item : interfaces) {
                    if (item instanceof Map<?, ?> nic) {
                        if (nic.get("ipAddress") instanceof String ip && !ip.isBlank()) {
                            found.add(ip);
                        }
                        if (nic.get("ipAddresses") instanceof List<?> ips) {
                            ips.stream()
                                    .filter(String.class::isInstance)
                                    .map(String.class::cast)
                                    .filter(ip -> !ip.isBlank())
                                    .forEach(found::add);
                        }
                    }
                }
            }
            byName.put(vmi.getMetadata().getName(), List.copyOf(found));
        }
        return byName;
    }

    /** From the VirtualMachine's status as KubeVirt writes it: {@code ready} and {@code printableStatus}. */
    static InstanceState state(GenericKubernetesResource vm) {
        if (isDeleting(vm)) {
            return InstanceState.Stopping;
        }
        Map<String, Object> status = status(vm);
        if (Boolean.TRUE.equals(status.get("ready"))) {
            return InstanceState.Running;
        }
        String printable = status.get("printableStatus") instanceof String text ? text : "";
        return switch (printable) {
            case "Running", "Migrating" -> InstanceState.Running;
            case "Stopping", "Stopped", "Terminating", "Paused" -> InstanceState.Stopping;
            case "CrashLoopBackOff", "DataVolumeError", "Unknown", "ImagePullBackOff" -> InstanceState.Failed;
            default -> printable.startsWith("Err") ? InstanceState.Failed : InstanceState.Starting;
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource resource) {
        return resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                ? (Map<String, Object>) status
                : Map.of();
    }

    private static boolean isDeleting(GenericKubernetesResource vm) {
        return vm.getMetadata().getDeletionTimestamp() != null;
    }

    private static long ordinal(GenericKubernetesResource vm) {
        Map<String, String> annotations = vm.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(Labels.INSTANCE_ORDINAL_ANNOTATION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private boolean servesVirtualMachines() throws ProviderException {
        try {
            discover();
            return true;
        } catch (KubeVirtMissingException e) {
            return false;
        }
    }

    private Discovery discover() throws ProviderException {
        Discovery known = discovery;
        Instant now = clock.instant();
        if (known != null && now.isBefore(known.until())) {
            return known;
        }
        Set<String> kubevirt = resources(GROUP_VERSION);
        if (!kubevirt.contains("virtualmachines")) {
            throw new KubeVirtMissingException("KubeVirt is not installed in the management cluster: it does not serve "
                    + GROUP_VERSION + " VirtualMachines, which the kubevirt provider makes instances with");
        }
        Discovery found = new Discovery(
                kubevirt.contains("virtualmachineinstances"),
                resources(CDI_GROUP_VERSION).contains("datavolumes"),
                now.plus(DISCOVERY_TTL));
        discovery = found;
        return found;
    }

    private Set<String> resources(String groupVersion) throws ProviderException {
        try {
            APIResourceList list = client.getApiResources(groupVersion);
            Set<String> names = new LinkedHashSet<>();
            if (list != null && list.getResources() != null) {
                list.getResources().forEach(r -> names.add(r.getName()));
            }
            return names;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Set.of();
            }
            throw failure("cannot discover whether the management cluster serves " + groupVersion, e);
        }
    }

    private static ProviderException failure(String what, KubernetesClientException e) {
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getClass().getSimpleName();
        return new ProviderException(what + ": HTTP " + e.getCode() + ": " + reason, e);
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup("kubevirt.io")
                .withVersion("v1")
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }

    /** KubeVirt's API is not served; {@link #delete} treats that as nothing left. */
    static final class KubeVirtMissingException extends ProviderException {
        private static final long serialVersionUID = 1L;

        KubeVirtMissingException(String message) {
            super(message);
        }
    }
}
