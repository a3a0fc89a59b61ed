package dev.operator.sks.rendering;

import dev.operator.sks.api.Exposure;
import dev.operator.sks.api.Level;
import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kube-apiserver with konnectivity-server as a sidecar (they share a Unix socket: the API server reaches nodes,
 * kubelets and webhooks through the agents), its configuration files, and the Service that exposes both.
 */
public final class ApiserverRenderer {
    public static final int SECURE_PORT = 6443;
    /** The port users reach the API on, through the {@code <cluster>-apiserver} Service. */
    public static final int SERVICE_PORT = 443;

    public static final int KONNECTIVITY_AGENT_PORT = 8132;
    public static final int KONNECTIVITY_ADMIN_PORT = 8133;
    public static final int KONNECTIVITY_HEALTH_PORT = 8134;
    public static final int STARTER_REPLICAS = 1;
    public static final int PRO_REPLICAS = 2;
    public static final String HTTPS_PORT_NAME = "https";
    public static final String KONNECTIVITY_PORT_NAME = "konnectivity";
    /** Same port as the pods: the tenant's {@code kubernetes} Service points at the advertised address on 6443. */
    public static final String SECURE_PORT_NAME = "apiserver";

    public static final String EGRESS_SELECTOR_FILE = "egress-selector-configuration.yaml";
    public static final String KONNECTIVITY_SOCKET = "/run/konnectivity/konnectivity-server.sock";

    static final String APISERVER_CONTAINER = "kube-apiserver";
    static final String KONNECTIVITY_CONTAINER = "konnectivity-server";
    static final String SERVING_DIR = "/etc/kubernetes/pki/apiserver";
    static final String ETCD_CLIENT_DIR = "/etc/kubernetes/pki/etcd-client";
    static final String KUBELET_CLIENT_DIR = "/etc/kubernetes/pki/kubelet-client";
    static final String FRONT_PROXY_CLIENT_DIR = "/etc/kubernetes/pki/front-proxy-client";
    static final String FRONT_PROXY_CA_DIR = "/etc/kubernetes/pki/front-proxy-ca";
    static final String SERVICE_ACCOUNT_DIR = "/etc/kubernetes/pki/sa";
    static final String CLIENT_CA_DIR = "/etc/kubernetes/pki/client-ca";
    static final String CLIENT_CA_FILE = "client-ca-bundle.crt";
    static final String CONFIG_DIR = "/etc/kubernetes/config";
    static final String KONNECTIVITY_SOCKET_DIR = "/run/konnectivity";
    static final String KONNECTIVITY_KUBECONFIG_DIR = "/etc/kubernetes/konnectivity";
    static final String KUBECONFIG_FILE = "kubeconfig";
    private static final String SERVING_VOLUME = "serving-tls";
    private static final String ETCD_CLIENT_VOLUME = "etcd-client-tls";
    private static final String KUBELET_CLIENT_VOLUME = "kubelet-client-tls";
    private static final String FRONT_PROXY_CLIENT_VOLUME = "front-proxy-client-tls";
    private static final String FRONT_PROXY_CA_VOLUME = "front-proxy-ca";
    private static final String SERVICE_ACCOUNT_VOLUME = "service-account-keys";
    private static final String CLIENT_CA_VOLUME = "client-ca";
    private static final String KONNECTIVITY_KUBECONFIG_VOLUME = "konnectivity-kubeconfig";
    private static final String CONFIG_VOLUME = "config";
    private static final String KONNECTIVITY_SOCKET_VOLUME = "konnectivity-uds";

    private static final ControlPlaneComponent COMPONENT = ControlPlaneComponent.KUBE_APISERVER;
    private static final String EGRESS_SELECTOR_CONFIGURATION = """
      apiVersion: apiserver.k8s.io/v1beta1
      kind: EgressSelectorConfiguration
      egressSelections:
      - name: cluster
        connection:
          proxyProtocol: GRPC
          transport:
            uds:
              udsName: %s
      """.formatted(KONNECTIVITY_SOCKET);

    private ApiserverRenderer() {}

    /** The replicas of a level's first size; the size in {@link ControlPlaneInputs#size()} decides what runs. */
    public static int replicas(Level level) {
        return level == Level.PRO ? PRO_REPLICAS : STARTER_REPLICAS;
    }

    public static Deployment deployment(ControlPlaneInputs inputs) {
        String name = inputs.name();
        int replicas = inputs.size().apiserverReplicas();
        List<SecretVolume> mountedSecrets = mountedSecrets(name);
        PodSpecBuilder pod = new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(PodParts.podSecurityContext())
                .withContainers(apiserverContainer(inputs), konnectivityContainer(inputs, replicas))
                .withVolumes(volumes(mountedSecrets, name));
        if (replicas > 1) {
            pod.withAffinity(PodParts.preferSeparateNodes(inputs, COMPONENT))
                    .withTopologySpreadConstraints(PodParts.spread(inputs, COMPONENT));
        }
        return Deployments.deployment(
                inputs,
                Names.apiserverDeployment(name),
                COMPONENT,
                replicas,
                Map.of(
                        Labels.CERTIFICATES_HASH_ANNOTATION,
                        PodParts.certificatesHash(inputs, mountedSecrets),
                        Labels.CONFIG_HASH_ANNOTATION,
                        PodParts.configHash(configData())),
                pod.build());
    }

    /** Pro only (more than one replica). */
    public static Optional<PodDisruptionBudget> podDisruptionBudget(ControlPlaneInputs inputs) {
        return inputs.size().apiserverReplicas() > 1
                ? Optional.of(PodDisruptionBudgets.minAvailable(
                        inputs, Names.apiserverDeployment(inputs.name()), COMPONENT, 1))
                : Optional.empty();
    }

    /** Files the API server reads at start: the egress selector sending cluster-bound traffic through konnectivity. */
    public static ConfigMap configMap(ControlPlaneInputs inputs) {
        return new ConfigMapBuilder()
                .withMetadata(Owners.metadata(inputs.owner(), Names.controlPlaneConfig(inputs.name()), COMPONENT))
                .withData(configData())
                .build();
    }

    /**
     * The endpoint: a Service of the type in {@code spec.controlPlane.exposure}, with the API on 443 and
     * konnectivity's agent port on 8132 (agents on the nodes dial in).
     */
    public static Service service(ControlPlaneInputs inputs) {
        return new ServiceBuilder()
                .withMetadata(Owners.metadata(inputs.owner(), Names.apiserverService(inputs.name()), COMPONENT))
                .withNewSpec()
                .withType(serviceType(inputs.model().exposure()))
                .withSelector(PodParts.selector(inputs, COMPONENT).getMatchLabels())
                .withPorts(
                        new ServicePortBuilder()
                                .withName(HTTPS_PORT_NAME)
                                .withProtocol("TCP")
                                .withPort(SERVICE_PORT)
                                .withTargetPort(new IntOrString(SECURE_PORT))
                                .build(),
                        new ServicePortBuilder()
                                .withName(KONNECTIVITY_PORT_NAME)
                                .withProtocol("TCP")
                                .withPort(KONNECTIVITY_AGENT_PORT)
                                .withTargetPort(new IntOrString(KONNECTIVITY_AGENT_PORT))
                                .build(),
                        new ServicePortBuilder()
                                .withName(SECURE_PORT_NAME)
                                .withProtocol("TCP")
                                .withPort(SECURE_PORT)
                                .withTargetPort(new IntOrString(SECURE_PORT))
                                .build())
                .endSpec()
                .build();
    }

    public static String serviceType(Exposure exposure) {
        return switch (exposure) {
            case LOAD_BALANCER -> "LoadBalancer";
            case NODE_PORT -> "NodePort";
            case CLUSTER_IP -> "ClusterIP";
        };
    }

    /**
     * The address the API server writes into the tenant's {@code kubernetes} Service: the endpoint's IP when the
     * exposure gives one that serves port 6443 too (LoadBalancer, ClusterIP), so pods on the nodes reach the API
     * through it. Otherwise absent, and the API server advertises its pod IP.
     */
    public static Optional<String> advertiseAddress(ControlPlaneInputs inputs) {
        if (inputs.model().exposure() == Exposure.NODE_PORT) {
            return Optional.empty();
        }
        return inputs.endpointHost().filter(CertificateSans::isIpAddress);
    }

    static List<String> apiserverArgs(ControlPlaneInputs inputs) {
        String name = inputs.name();
        String dnsDomain = inputs.model().network().dnsDomain();
        Flags flags = new Flags()
                .set("secure-port", SECURE_PORT)
                .set("tls-cert-file", SERVING_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("tls-private-key-file", SERVING_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("client-ca-file", CLIENT_CA_DIR + "/" + CLIENT_CA_FILE)
                .set("etcd-servers", EtcdRenderer.clientUrl(inputs))
                .set("etcd-cafile", ETCD_CLIENT_DIR + "/" + Names.CA_CERTIFICATE_KEY)
                .set("etcd-certfile", ETCD_CLIENT_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("etcd-keyfile", ETCD_CLIENT_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("kubelet-client-certificate", KUBELET_CLIENT_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("kubelet-client-key", KUBELET_CLIENT_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname")
                .set("service-account-issuer", "https://kubernetes.default.svc." + dnsDomain)
                .set("service-account-key-file", SERVICE_ACCOUNT_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("service-account-signing-key-file", SERVICE_ACCOUNT_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("service-cluster-ip-range", inputs.model().network().serviceCidr())
                .set("authorization-mode", "Node,RBAC")
                .set("enable-admission-plugins", "NodeRestriction")
                .set("allow-privileged", true)
                .set("enable-bootstrap-token-auth", true)
                .set("requestheader-client-ca-file", FRONT_PROXY_CA_DIR + "/" + Names.CA_CERTIFICATE_KEY)
                .set("requestheader-allowed-names", Names.FRONT_PROXY_CLIENT_COMMON_NAME)
                .set("requestheader-extra-headers-prefix", "X-Remote-Extra-")
                .set("requestheader-group-headers", "X-Remote-Group")
                .set("requestheader-username-headers", "X-Remote-User")
                .set("proxy-client-cert-file", FRONT_PROXY_CLIENT_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("proxy-client-key-file", FRONT_PROXY_CLIENT_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("egress-selector-config-file", CONFIG_DIR + "/" + EGRESS_SELECTOR_FILE);
        // No --cloud-provider: kube-apiserver has not needed it since 1.31 and refuses it since 1.33.
        advertiseAddress(inputs).ifPresent(address -> flags.set("advertise-address", address));
        inputs.model().oidc().ifPresent(oidc -> addOidc(flags, oidc));
        return flags.toArgs();
    }

    static List<String> konnectivityArgs(ControlPlaneInputs inputs, int serverCount) {
        return new Flags()
                .set("uds-name", KONNECTIVITY_SOCKET)
                .set("delete-existing-uds-file", true)
                .set("cluster-cert", SERVING_DIR + "/" + Names.TLS_CERTIFICATE_KEY)
                .set("cluster-key", SERVING_DIR + "/" + Names.TLS_PRIVATE_KEY_KEY)
                .set("mode", "grpc")
                .set("server-port", 0)
                .set("agent-port", KONNECTIVITY_AGENT_PORT)
                .set("admin-port", KONNECTIVITY_ADMIN_PORT)
                .set("health-port", KONNECTIVITY_HEALTH_PORT)
                .set("agent-namespace", Names.KONNECTIVITY_AGENT_NAMESPACE)
                .set("agent-service-account", Names.KONNECTIVITY_AGENT_SERVICE_ACCOUNT)
                .set("kubeconfig", KONNECTIVITY_KUBECONFIG_DIR + "/" + KUBECONFIG_FILE)
                .set("authentication-audience", Names.KONNECTIVITY_SERVER_AUDIENCE)
                .set("server-count", serverCount)
                .toArgs();
    }

    private static void addOidc(Flags flags, ClusterModel.Oidc oidc) {
        flags.set("oidc-issuer-url", oidc.issuerUrl())
                .setIfPresent("oidc-client-id", oidc.clientId())
                .setIfPresent("oidc-username-claim", oidc.usernameClaim())
                .setIfPresent("oidc-username-prefix", oidc.usernamePrefix())
                .setIfPresent("oidc-groups-claim", oidc.groupsClaim())
                .setIfPresent("oidc-groups-prefix", oidc.groupsPrefix());
        oidc.requiredClaims().forEach((claim, value) -> flags.add("oidc-required-claim", claim + "=" + value));
    }

    private static Map<String, String> configData() {
        return Map.of(EGRESS_SELECTOR_FILE, EGRESS_SELECTOR_CONFIGURATION);
    }

    private static Container apiserverContainer(ControlPlaneInputs inputs) {
        return new ContainerBuilder()
                .withName(APISERVER_CONTAINER)
                .withImage(inputs.image(COMPONENT))
                .withImagePullPolicy("IfNotPresent")
                .withCommand("kube-apiserver")
                .withArgs(apiserverArgs(inputs))
                .withPorts(PodParts.port(HTTPS_PORT_NAME, SECURE_PORT))
                .withStartupProbe(PodParts.httpProbe("HTTPS", "/livez", SECURE_PORT, 10, 10, 24))
                .withLivenessProbe(PodParts.httpProbe("HTTPS", "/livez", SECURE_PORT, 10, 10, 8))
                .withReadinessProbe(PodParts.httpProbe("HTTPS", "/readyz", SECURE_PORT, 0, 5, 3))
                .withResources(PodParts.requests(inputs.size().apiserver()))
                .withSecurityContext(PodParts.containerSecurityContext())
                .withVolumeMounts(
                        PodParts.readOnlyMount(SERVING_VOLUME, SERVING_DIR),
                        PodParts.readOnlyMount(ETCD_CLIENT_VOLUME, ETCD_CLIENT_DIR),
                        PodParts.readOnlyMount(KUBELET_CLIENT_VOLUME, KUBELET_CLIENT_DIR),
                        PodParts.readOnlyMount(FRONT_PROXY_CLIENT_VOLUME, FRONT_PROXY_CLIENT_DIR),
                        PodParts.readOnlyMount(FRONT_PROXY_CA_VOLUME, FRONT_PROXY_CA_DIR),
                        PodParts.readOnlyMount(SERVICE_ACCOUNT_VOLUME, SERVICE_ACCOUNT_DIR),
                        PodParts.readOnlyMount(CLIENT_CA_VOLUME, CLIENT_CA_DIR),
                        PodParts.readOnlyMount(CONFIG_VOLUME, CONFIG_DIR),
                        PodParts.writableMount(KONNECTIVITY_SOCKET_VOLUME, KONNECTIVITY_SOCKET_DIR))
                .build();
    }

    private static Container konnectivityContainer(ControlPlaneInputs inputs, int replicas) {
        return new ContainerBuilder()
                .withName(KONNECTIVITY_CONTAINER)
                .withImage(inputs.model()
                        .image(Component.KONNECTIVITY_SERVER, inputs.versions().apiserver()))
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/proxy-server")
                .withArgs(konnectivityArgs(inputs, replicas))
                .withPorts(
                        PodParts.port(KONNECTIVITY_PORT_NAME, KONNECTIVITY_AGENT_PORT),
                        PodParts.port("health", KONNECTIVITY_HEALTH_PORT))
                // Liveness only: readiness would wait for agents, which come only after nodes join.
                .withLivenessProbe(PodParts.httpProbe("HTTP", "/healthz", KONNECTIVITY_HEALTH_PORT, 10, 10, 3))
                .withResources(PodParts.requests("50m", "64Mi"))
                .withSecurityContext(PodParts.containerSecurityContext())
                .withVolumeMounts(
                        PodParts.readOnlyMount(SERVING_VOLUME, SERVING_DIR),
                        PodParts.readOnlyMount(KONNECTIVITY_KUBECONFIG_VOLUME, KONNECTIVITY_KUBECONFIG_DIR),
                        PodParts.writableMount(KONNECTIVITY_SOCKET_VOLUME, KONNECTIVITY_SOCKET_DIR))
                .build();
    }

    /** Every Secret the pod mounts: its volumes and its certificates hash both come from this one list. */
    private static List<SecretVolume> mountedSecrets(String name) {
        return List.of(
                SecretVolume.of(SERVING_VOLUME, Names.apiserverCertificate(name)),
                SecretVolume.of(ETCD_CLIENT_VOLUME, Names.apiserverEtcdClient(name)),
                SecretVolume.of(KUBELET_CLIENT_VOLUME, Names.apiserverKubeletClient(name)),
                SecretVolume.of(FRONT_PROXY_CLIENT_VOLUME, Names.frontProxyClient(name)),
                // The CA's certificate only: its key stays out of the pod.
                SecretVolume.of(
                        FRONT_PROXY_CA_VOLUME,
                        Names.frontProxyCa(name),
                        // The trust bundle (during a rotation, old and new CA), never the CA's key.
                        PodParts.item(Names.CA_CERTIFICATE_KEY, Names.CA_CERTIFICATE_KEY)),
                SecretVolume.of(SERVICE_ACCOUNT_VOLUME, Names.serviceAccountKeys(name)),
                SecretVolume.of(
                        CLIENT_CA_VOLUME,
                        Names.clientCaBundle(name),
                        PodParts.item(Names.CLIENT_CA_BUNDLE_KEY, CLIENT_CA_FILE)),
                SecretVolume.of(
                        KONNECTIVITY_KUBECONFIG_VOLUME,
                        Names.konnectivityKubeconfig(name),
                        PodParts.item(Names.KUBECONFIG_KEY, KUBECONFIG_FILE)));
    }

    private static List<Volume> volumes(List<SecretVolume> mountedSecrets, String name) {
        List<Volume> volumes = new ArrayList<>(PodParts.volumes(mountedSecrets));
        volumes.add(new VolumeBuilder()
                .withName(CONFIG_VOLUME)
                .withNewConfigMap()
                .withName(Names.controlPlaneConfig(name))
                .withDefaultMode(0444)
                .endConfigMap()
                .build());
        volumes.add(new VolumeBuilder()
                .withName(KONNECTIVITY_SOCKET_VOLUME)
                .withNewEmptyDir()
                .endEmptyDir()
                .build());
        return volumes;
    }
}
