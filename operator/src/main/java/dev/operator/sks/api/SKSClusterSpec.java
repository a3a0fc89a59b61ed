package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(oldSelf.level) || oldSelf.level != 'pro' || !has(self.level) || self.level == 'pro'",
        message = "level cannot go from pro back to starter")
@ValidationRule(
        value = "has(oldSelf.restore) == has(self.restore)",
        message = "restore is set only when a cluster is created, and cannot be removed")
public class SKSClusterSpec {

    @Required
    @Pattern("^[a-z]{2}-[a-z]{2,3}-[0-9]+$")
    @ValidationRule(value = "self == oldSelf", message = "zone is immutable: a cluster cannot move to another zone")
    @JsonPropertyDescription("Zone the cluster runs in, one of the operator's zones (e.g. ch-gva-2). Immutable.")
    public String zone;

    @Default("starter")
    @JsonPropertyDescription("Service tier: starter (one replica of everything) or pro (highly available control "
            + "plane, 3 etcd members). starter may move to pro; pro cannot go back to starter.")
    public Level level;

    @Required
    @Pattern("^1\\.[0-9]{1,2}(\\.[0-9]{1,3})?$")
    @JsonPropertyDescription("Kubernetes version from the operator's version catalog: a minor (\"1.33\", meaning "
            + "its newest patch) or a patch (\"1.33.4\"). Upgrades go one minor at a time; downgrades are refused.")
    public String version;

    @Default("false")
    @JsonPropertyDescription("Follow the newest patch of the running minor automatically. The spec is never "
            + "rewritten; status.version shows what runs.")
    public Boolean autoUpgrade;

    @Default("calico")
    @JsonPropertyDescription("Network plugin installed into the cluster: calico, or none to bring your own.")
    public Cni cni;

    // Absent means the default set, as on SKS: the API server writes it into the spec, so what runs is visible there.
    // A list given explicitly is taken as is; [] installs no optional addon.
    @Default("[\"metrics-server\", \"cloud-controller\"]")
    @JsonPropertyDescription("Optional components installed into the cluster: metrics-server, cloud-controller. "
            + "Absent means [metrics-server, cloud-controller]; an explicit list is taken as is ([] installs none).")
    public List<Addon> addons;

    @JsonPropertyDescription("OpenID Connect authentication for the cluster's API server.")
    public OidcSpec oidc;

    @JsonPropertyDescription("Pod and service networks of the cluster.")
    public NetworkingSpec networking;

    @JsonPropertyDescription("How the control plane is exposed.")
    public ControlPlaneSpec controlPlane;

    @JsonPropertyDescription("etcd backups to the operator's object store. Pro clusters are backed up daily without "
            + "it; starter clusters only with it.")
    public BackupSpec backup;

    @ValidationRule(value = "self == oldSelf", message = "restore is immutable")
    @JsonPropertyDescription("Create this cluster from a backup of another: its etcd data and its certificate "
            + "authorities, so kubeconfigs and nodes of the old cluster trust it. Set at creation only; immutable.")
    public RestoreSpec restore;

    @Size(max = 255)
    @JsonPropertyDescription("Free text for people.")
    public String description;
}
