{{/*
Every permission the operator has is listed here, and only here: clusterrole.yaml and role.yaml include these
lists, and the RBAC test runs the operator with exactly what they render. Least privilege: no wildcards, only
the verbs the operator's code uses. Add a rule here when new code needs one, never `*`.
*/}}

{{/*
Rules on namespaced resources, for the namespaces the operator serves (a ClusterRole when it serves all of them,
otherwise a Role in each).
*/}}
{{- define "sks-operator.rbac.namespacedRules" -}}
# The operator's own API: SKSCluster, Nodepool and KubeconfigRequest (users') and InstancePool (its own).
- apiGroups: ["sks.operator.dev"]
  resources: ["sksclusters", "nodepools", "kubeconfigrequests", "instancepools"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Status is written by server-side apply only.
- apiGroups: ["sks.operator.dev"]
  resources: ["sksclusters/status", "nodepools/status", "kubeconfigrequests/status", "instancepools/status"]
  verbs: ["patch"]
# Setting owner references with blockOwnerDeletion, and the operator's finalizers.
- apiGroups: ["sks.operator.dev"]
  resources: ["sksclusters/finalizers", "nodepools/finalizers", "kubeconfigrequests/finalizers", "instancepools/finalizers"]
  verbs: ["update"]
# PKI and kubeconfig Secrets, CA ConfigMaps, the API server's and etcd's Services.
- apiGroups: [""]
  resources: ["secrets", "configmaps", "services"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# etcd data of deleted clusters (a StatefulSet leaves its PVCs behind): listed and deleted at teardown only.
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["list", "delete"]
# etcd (StatefulSet) and the control-plane components (Deployments): created, then server-side applied.
- apiGroups: ["apps"]
  resources: ["statefulsets", "deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# PodDisruptionBudgets of pro clusters.
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
{{- if eq .Values.operator.provider "kubevirt" }}
# The kubevirt provider: a VirtualMachinePool (or VirtualMachines) per instance pool; instance state and
# addresses are read from the VirtualMachineInstances.
- apiGroups: ["pool.kubevirt.io"]
  resources: ["virtualmachinepools"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["kubevirt.io"]
  resources: ["virtualmachines"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["kubevirt.io"]
  resources: ["virtualmachineinstances"]
  verbs: ["get", "list", "watch"]
# The KubeVirt cloud controller of each cluster with the cloud-controller addon: a ServiceAccount, Role and
# RoleBinding of its own (granting a subset of the rights above, so no escalate or bind), and bound tokens of it.
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "create", "delete"]
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "create", "update", "delete"]
{{- end }}
{{- end }}

{{/*
Rules for leader election, in the release namespace (where the Lease sks-operator-leader lives).
*/}}
{{- define "sks-operator.rbac.leaderElectionRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update"]
{{- if .Values.autoscaler.enabled }}
# The CA of the cluster-autoscalers' client certificates (Secret sks-operator-autoscaler-ca): read, and made once
# when absent.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]
{{- end }}
{{- end }}
