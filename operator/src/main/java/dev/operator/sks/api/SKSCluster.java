package dev.operator.sks.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A hosted Kubernetes cluster: its control plane runs as pods in this namespace. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@Kind("SKSCluster")
@Singular("skscluster")
@Plural("sksclusters")
@ShortNames("skc")
// Columns show what runs (status), not what is asked: a refused zone or level change must not look applied.
// Priority 1 columns appear with -o wide only, after AGE, as kubectl's own wide columns do.
@AdditionalPrinterColumn(name = "Zone", jsonPath = ".status.zone")
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.version")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state")
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Level", jsonPath = ".status.level", priority = 1)
@AdditionalPrinterColumn(name = "Endpoint", jsonPath = ".status.endpoint", priority = 1)
@AdditionalPrinterColumn(
        name = "Auto Upgrade",
        jsonPath = ".spec.autoUpgrade",
        type = AdditionalPrinterColumn.Type.BOOLEAN,
        priority = 1)
@AdditionalPrinterColumn(name = "Addons", jsonPath = ".spec.addons", priority = 1)
@AdditionalPrinterColumn(name = "Size", jsonPath = ".status.controlPlane.size", priority = 1)
@ValidationRule(value = Patterns.CLUSTER_NAME_RULE, message = Patterns.CLUSTER_NAME_MESSAGE)
@ValidationRule(value = Patterns.CLUSTER_NAME_ENDING_RULE, message = Patterns.CLUSTER_NAME_ENDING_MESSAGE)
public class SKSCluster extends CustomResource<SKSClusterSpec, SKSClusterStatus> implements Namespaced {}
