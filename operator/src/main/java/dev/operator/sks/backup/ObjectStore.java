package dev.operator.sks.backup;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where backups go: an S3-compatible bucket ({@link S3ObjectStore}). Every failure is a {@link BackupException} whose
 * message names the bucket and key, never the credentials.
 */
public interface ObjectStore extends AutoCloseable {

    /** A stored object as a listing shows it. */
    record StoredObject(String key, long size, Instant lastModified) {}

    /** What an upload stored: its size and the SHA-256 of its content (hex), also in its metadata. */
    record Uploaded(String key, long size, String sha256) {}

    /**
     * Uploads {@code content} to its end, in parts, computing its SHA-256 on the way; the object carries it in its
     * metadata ({@code sha256}) with {@code metadata}. Holds one part in memory at a time, never the whole content.
     */
    Uploaded upload(String key, InputStream content, Map<String, String> metadata) throws BackupException;

    /** A small object in one request (the CA bundle). */
    void put(String key, byte[] content, Map<String, String> metadata) throws BackupException;

    /** A small object, whole; refuses one larger than {@code maxBytes}. */
    byte[] get(String key, int maxBytes) throws BackupException;

    /** An object's user metadata (keys lower case, without the x-amz-meta- prefix). */
    Map<String, String> metadata(String key) throws BackupException;

    List<StoredObject> list(String prefix) throws BackupException;

    void delete(List<String> keys) throws BackupException;

    /** A URL that reads {@code key} alone, without credentials, for {@code validity}. */
    URI presignGet(String key, Duration validity) throws BackupException;

    @Override
    void close();
}
