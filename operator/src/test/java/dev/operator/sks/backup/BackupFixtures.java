package dev.operator.sks.backup;

import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.EtcdTestKv;
import dev.operator.sks.etcd.HttpEtcdMaintenance;
import dev.operator.sks.etcd.HttpEtcdMembers;
import dev.operator.sks.etcd.LocalEtcd;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pki;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/** A real single-member TLS etcd with its PKI, as the backup tests need it. */
final class BackupFixtures {
    // The real clock: etcd checks validity against its own time.
    static final Pki PKI = new BouncyCastlePki(Clock.systemUTC());

    final IssuedCertificate etcdCa;
    final IssuedCertificate client;
    final LocalEtcd etcd;
    final LocalEtcd.Member member;

    BackupFixtures(Path directory) throws Exception {
        etcdCa = PKI.createCa("etcd-ca");
        IssuedCertificate server = PKI.issue(
                CertificateRequest.builder("etcd-server")
                        .serverAuth()
                        .clientAuth()
                        .dnsNames("localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                etcdCa);
        client = PKI.issue(
                CertificateRequest.builder("kube-apiserver-etcd-client")
                        .clientAuth()
                        .build(),
                etcdCa);
        etcd = new LocalEtcd(
                directory,
                new LocalEtcd.Tls(
                        etcdCa.certificatePem(),
                        server.certificatePem(),
                        server.privateKeyPem(),
                        server.certificatePem(),
                        server.privateKeyPem()));
        member = etcd.member("etcd-0");
    }

    void start() throws Exception {
        member.start(member.initialClusterEntry(), "new");
        etcd.awaitStarted(members(member), 1);
    }

    HttpEtcdMembers members(LocalEtcd.Member m) throws EtcdException {
        return HttpEtcdMembers.connect(
                URI.create(m.clientUrl()), client.certificatePem(), client.privateKeyPem(), etcdCa.certificatePem());
    }

    HttpEtcdMaintenance maintenance(LocalEtcd.Member m) throws EtcdException {
        return HttpEtcdMaintenance.connect(
                URI.create(m.clientUrl()), client.certificatePem(), client.privateKeyPem(), etcdCa.certificatePem());
    }

    EtcdTestKv kv(LocalEtcd.Member m) {
        return new EtcdTestKv(
                URI.create(m.clientUrl()), client.certificatePem(), client.privateKeyPem(), etcdCa.certificatePem());
    }
}
