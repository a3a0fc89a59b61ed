package dev.operator.sks.cli.plugin;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where a kubeconfig goes: a file only its owner can read, never anything else. The file is written beside its final
 * name with mode 0600 from the start and moved into place, so at no moment does a readable copy or a half-written one
 * exist; an existing file is replaced (and so loses wider permissions it had).
 */
final class KubeconfigFile {
    static final String STDOUT = "-";

    private KubeconfigFile() {}

    static void write(String target, String kubeconfig, PrintWriter stdout) {
        if (STDOUT.equals(target)) {
            stdout.print(kubeconfig);
            stdout.flush();
            return;
        }
        Path file = Path.of(target).toAbsolutePath();
        Path temporary = null;
        try {
            Files.createDirectories(file.getParent());
            temporary = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile(
                            file.getParent(),
                            ".kubeconfig",
                            ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(file.getParent(), ".kubeconfig", ".tmp");
            Files.writeString(temporary, kubeconfig, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new PluginException("cannot write the kubeconfig to " + file + ": " + e.getMessage()
                    + "; pass -o with a path in a writable directory");
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // Only left behind when the move failed, and then mode 0600.
                }
            }
        }
    }
}
