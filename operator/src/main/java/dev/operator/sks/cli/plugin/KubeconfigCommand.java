package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kubectl sks kubeconfig CLUSTER --user U --group G --ttl 24h -o FILE}: the three steps of getting a kubeconfig
 * (write a KubeconfigRequest, wait for it, decode its Secret) in one, as {@code exo compute sks kubeconfig} does. An
 * equal request that still holds a kubeconfig is reused, so running it twice makes one request.
 */
@Command(
        name = "kubeconfig",
        description =
                "Get a kubeconfig for a user of a cluster (creates or reuses a KubeconfigRequest and waits for it).",
        mixinStandardHelpOptions = true)
final class KubeconfigCommand extends PluginCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "The SKSCluster.")
    String cluster;

    @Option(
            names = {"-u", "--user"},
            required = true,
            paramLabel = "USER",
            description = "User name (the certificate's CN, what RBAC sees).")
    String user;

    @Option(
            names = {"-g", "--group"},
            paramLabel = "GROUP",
            description = "A group (the certificate's O); repeat for several. system:masters gives root access.")
    List<String> groups = new ArrayList<>();

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            defaultValue = "30d",
            description = "Lifetime: 10m to 30d, e.g. 24h (default ${DEFAULT-VALUE}).")
    String ttl;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Where to write the kubeconfig, mode 0600 (default ./CLUSTER-USER.kubeconfig); - for stdout.")
    String output;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "5m",
            description = "How long to wait for the operator (default ${DEFAULT-VALUE}).")
    String timeout;

    KubeconfigCommand(PluginEnvironment environment, Connection connection) {
        super(environment, connection);
    }

    @Override
    int run(Connection.Session session) {
        KubernetesClient client = session.client();
        String namespace = session.namespace();
        long ttlSeconds = Durations.parse(ttl, "--ttl").getSeconds();
        if (ttlSeconds < KubeconfigRequestSpec.MIN_TTL_SECONDS || ttlSeconds > KubeconfigRequestSpec.MAX_TTL_SECONDS) {
            throw new PluginException("--ttl " + ttl + " is out of range: a kubeconfig lives from 10m to 30d (720h)");
        }
        Duration wait = Durations.parse(timeout, "--timeout");
        Lookups.get(client, SKSCluster.class, namespace, cluster);
        // With -o -, stdout carries the kubeconfig alone; what the command tells goes to stderr.
        java.io.PrintWriter info = KubeconfigFile.STDOUT.equals(output) ? err() : out();
        KubeconfigAsk ask = new KubeconfigAsk(cluster, user, groups, ttlSeconds);

        Optional<KubeconfigRequest> existing = ask.reusable(
                client.resources(KubeconfigRequest.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems(),
                environment.clock().instant());
        KubeconfigRequest request;
        if (existing.isPresent()) {
            request = existing.get();
            info.println("Reusing KubeconfigRequest " + request.getMetadata().getName() + " (same user, groups and "
                    + "ttl).");
        } else {
            KubeconfigRequest fresh = new KubeconfigRequest();
            fresh.getMetadata().setGenerateName(Names.pluginKubeconfigRequestPrefix(cluster, user));
            fresh.getMetadata().setNamespace(namespace);
            fresh.setSpec(ask.spec());
            request = client.resource(fresh).create();
            info.println("Created KubeconfigRequest " + request.getMetadata().getName() + ".");
        }
        info.flush();

        String name = request.getMetadata().getName();
        KubeconfigAsk.Progress[] last = {KubeconfigAsk.progress(request)};
        KubeconfigAsk.Issued issued = await(
                wait,
                () -> {
                    KubeconfigRequest now = client.resources(KubeconfigRequest.class)
                            .inNamespace(namespace)
                            .withName(name)
                            .get();
                    if (now == null) {
                        throw new PluginException("KubeconfigRequest " + name + " was deleted while waiting for it");
                    }
                    last[0] = KubeconfigAsk.progress(now);
                    if (last[0] instanceof KubeconfigAsk.Refused refused) {
                        throw new PluginException("the operator refused KubeconfigRequest " + name + ": "
                                + refused.reason() + ": " + refused.message());
                    }
                    return last[0] instanceof KubeconfigAsk.Issued i ? Optional.of(i) : Optional.empty();
                },
                () -> {
                    KubeconfigAsk.Pending pending = (KubeconfigAsk.Pending) last[0];
                    return "KubeconfigRequest " + name + " is not Ready (" + pending.reason() + ": "
                            + pending.message() + "); see kubectl describe kcr " + name + " -n " + namespace
                            + ", and run this again to keep waiting (it reuses the request)";
                });

        // Read only from a Secret the request controls: a same-named Secret of someone else's is never handed out.
        KubeconfigRequest owner = client.resources(KubeconfigRequest.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        Secret secret = client.secrets()
                .inNamespace(namespace)
                .withName(issued.secretName())
                .get();
        if (secret == null || owner == null || !Owners.isControlledBy(secret, owner)) {
            throw new PluginException("Secret " + issued.secretName() + " is missing or not made by KubeconfigRequest "
                    + name + "; see kubectl describe kcr " + name + " -n " + namespace);
        }
        String kubeconfig = SecretData.find(secret, Names.KUBECONFIG_REQUEST_KEY)
                .orElseThrow(() -> new PluginException("Secret " + issued.secretName() + " holds no kubeconfig (it was "
                        + "withdrawn); see kubectl describe kcr " + name + " -n " + namespace));
        String target = output != null ? output : defaultFile();
        KubeconfigFile.write(target, kubeconfig, out());
        if (!KubeconfigFile.STDOUT.equals(target)) {
            out().println("Wrote the kubeconfig of " + user + " for cluster " + cluster + " to " + target
                    + " (mode 0600); it expires " + expiry(issued.expirationTime()) + ".");
            out().println("Try: kubectl --kubeconfig " + target + " get nodes");
        }
        return 0;
    }

    private String defaultFile() {
        String slug = user.replaceAll("[^A-Za-z0-9._-]+", "_");
        return cluster + "-" + slug + ".kubeconfig";
    }

    private String expiry(String expirationTime) {
        if (expirationTime == null) {
            return "at an unknown time";
        }
        try {
            Duration left = Duration.between(environment.clock().instant(), Instant.parse(expirationTime));
            return expirationTime + " (in " + Durations.human(left) + ")";
        } catch (DateTimeParseException e) {
            return expirationTime;
        }
    }
}
