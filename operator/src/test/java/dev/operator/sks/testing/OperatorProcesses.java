package dev.operator.sks.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.pki.TestBinaries;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmarks that run the packaged operator jar as separate JVMs share: the java binary, a free port, an API
 * server with room for hundreds of clusters' Services, and a process's CPU, RSS and heap.
 */
public final class OperatorProcesses {
    private OperatorProcesses() {}

    public static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * A kube-api-test directory whose kube-apiserver is the installed one with a /16 Service range: kube-api-test
     * passes a /24 after any flag given to it, and each cluster takes two ClusterIPs, so the /24 is full before 130
     * clusters. The other binaries are links to the installed ones.
     */
    public static Path binariesWithServiceRange(Path dir) throws IOException {
        Path apiserver = TestBinaries.require("kube-apiserver");
        Path installed = apiserver.getParent();
        Path testDir = dir.resolve("kubeapitest");
        Path version = Files.createDirectories(
                testDir.resolve("k8s").resolve(installed.getFileName().toString()));
        try (var files = Files.list(installed)) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().equals("kube-apiserver")) {
                    Files.createSymbolicLink(version.resolve(file.getFileName()), file);
                }
            }
        }
        Path wrapper = version.resolve("kube-apiserver");
        Files.writeString(
                wrapper, "#!/bin/sh\nexec '" + apiserver + "' \"$@\" --service-cluster-ip-range=10.96.0.0/16\n");
        wrapper.toFile().setExecutable(true);
        return testDir;
    }

    /** utime + stime of the process, in clock ticks (USER_HZ, 100 on Linux). */
    public static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    public static long rssKiB(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst()
                .orElseThrow();
    }

    public static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return out;
    }

    /** The process's heap in use after a full GC, from {@code jcmd}. */
    public static long heapAfterGcKiB(long pid) throws Exception {
        return heapUsedKiB(jcmd(pid, "GC.run") + jcmd(pid, "GC.heap_info"));
    }

    /** The "used" figure of the heap summary jcmd prints (G1: "garbage-first heap total ..K, used ..K"). */
    public static long heapUsedKiB(String heapInfo) {
        Matcher m = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(heapInfo);
        assertThat(m.find()).as(heapInfo).isTrue();
        return Long.parseLong(m.group(1));
    }
}
