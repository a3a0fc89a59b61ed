package dev.operator.sks.pki;

/** What a leaf certificate may be used for in TLS (its extended key usages). */
public enum CertificateUsage {
    /** TLS server: kube-apiserver serving, etcd server. */
    SERVER_AUTH,
    /** TLS client: kubelets, controllers, kubeconfig users, etcd clients. */
    CLIENT_AUTH
}
