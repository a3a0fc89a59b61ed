package dev.operator.sks.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A group of worker machines that join an SKSCluster; {@code kubectl scale np NAME --replicas N} works. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@Kind("Nodepool")
@Singular("nodepool")
@Plural("nodepools")
@ShortNames("np")
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.cluster")
@AdditionalPrinterColumn(name = "Size", jsonPath = ".spec.size", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyNodes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Up-to-date",
        jsonPath = ".status.updatedMachines",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Instance Type", jsonPath = ".spec.instanceType")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state")
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
// With -o wide: the InstancePool behind the pool and the Kubernetes version its new machines join with.
@AdditionalPrinterColumn(name = "Instance Pool", jsonPath = ".status.instancePool", priority = 1)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.version", priority = 1)
public class Nodepool extends CustomResource<NodepoolSpec, NodepoolStatus> implements Namespaced {}
