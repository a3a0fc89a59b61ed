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

/** A kubeconfig for a user and groups, signed by the cluster, written into a Secret, with a bounded lifetime. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@Kind("KubeconfigRequest")
@Singular("kubeconfigrequest")
@Plural("kubeconfigrequests")
@ShortNames("kcr")
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.cluster")
@AdditionalPrinterColumn(name = "User", jsonPath = ".spec.user")
// A string, not a date: kubectl shows a date column as the time elapsed since it, so every expiry still ahead
// (every valid kubeconfig) read "<invalid>". The RFC 3339 text reads right whichever side of now it is.
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".status.expirationTime")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class KubeconfigRequest extends CustomResource<KubeconfigRequestSpec, KubeconfigRequestStatus>
        implements Namespaced {}
