package dev.operator.sks.backup;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link ObjectStore} on the AWS SDK v2 S3 client, for any S3-compatible store (Exoscale SOS, AWS, MinIO, S3Proxy):
 * endpoint, region, path-style addressing and a static key pair come from the operator's settings.
 *
 * <p>An upload reads one {@link #PART_SIZE} part at a time. Content that fits in one part goes up in one request with
 * its digest in its metadata. Longer content goes up in parts (multipart upload); its digest is known only at the end,
 * so the finished object is then copied onto itself with the digest added to its metadata (S3 copies up to 5 GiB in
 * one request: etcd's recommended largest database is 8 GiB, its default quota 2 GiB). A failed upload is aborted, so
 * no parts are left behind to pay for.
 */
public final class S3ObjectStore implements ObjectStore {
    /** Above S3's 5 MiB minimum part; the memory one running backup holds. */
    static final int PART_SIZE = 8 * 1024 * 1024;

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    /** Connection settings of an S3-compatible store. */
    public record Settings(URI endpoint, String region, String bucket, boolean pathStyle) {}

    public S3ObjectStore(Settings settings, String accessKeyId, String secretAccessKey) {
        this.bucket = settings.bucket();
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
        S3Configuration addressing = S3Configuration.builder()
                .pathStyleAccessEnabled(settings.pathStyle())
                .chunkedEncodingEnabled(false)
                .build();
        Region region = Region.of(settings.region());
        this.s3 = S3Client.builder()
                .endpointOverride(settings.endpoint())
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(addressing)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                // S3-compatible stores do not all know the newer default checksums; the SHA-256 is ours anyway.
                .requestChecksumCalculation(
                        software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(
                        software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        this.presigner = S3Presigner.builder()
                .endpointOverride(settings.endpoint())
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(addressing)
                .build();
    }

    @Override
    public Uploaded upload(String key, InputStream content, Map<String, String> metadata) throws BackupException {
        MessageDigest sha256 = sha256();
        byte[] part = new byte[PART_SIZE];
        int first;
        try {
            first = content.readNBytes(part, 0, PART_SIZE);
        } catch (IOException e) {
            throw new BackupException("SnapshotFailed", "reading the snapshot failed: " + e.getMessage(), e);
        }
        sha256.update(part, 0, first);
        if (first < PART_SIZE) {
            String digest = HexFormat.of().formatHex(sha256.digest());
            put(key, java.util.Arrays.copyOf(part, first), with(metadata, digest));
            return new Uploaded(key, first, digest);
        }
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).metadata(metadata))
                    .uploadId();
        } catch (SdkException e) {
            throw failure("cannot start the upload of", key, e);
        }
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long size = 0;
            int length = first;
            while (length > 0) {
                int number = parts.size() + 1;
                String etag = s3.uploadPart(
                                b -> b.bucket(bucket)
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(number),
                                RequestBody.fromInputStream(new java.io.ByteArrayInputStream(part, 0, length), length))
                        .eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                size += length;
                length = content.readNBytes(part, 0, PART_SIZE);
                sha256.update(part, 0, length);
            }
            s3.completeMultipartUpload(
                    b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            String digest = HexFormat.of().formatHex(sha256.digest());
            s3.copyObject(b -> b.sourceBucket(bucket)
                    .sourceKey(key)
                    .destinationBucket(bucket)
                    .destinationKey(key)
                    .metadataDirective(MetadataDirective.REPLACE)
                    .metadata(with(metadata, digest)));
            return new Uploaded(key, size, digest);
        } catch (IOException | SdkException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException ignored) {
                // The bucket's lifecycle rule for incomplete uploads is the last resort.
            }
            if (e instanceof IOException io) {
                throw new BackupException("SnapshotFailed", "reading the snapshot failed: " + io.getMessage(), io);
            }
            throw failure("cannot upload", key, (SdkException) e);
        }
    }

    @Override
    public void put(String key, byte[] content, Map<String, String> metadata) throws BackupException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failure("cannot upload", key, e);
        }
    }

    @Override
    public byte[] get(String key, int maxBytes) throws BackupException {
        try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new BackupException(
                        "ObjectTooLarge",
                        key + " in bucket " + bucket + " is larger than " + maxBytes
                                + " bytes: not an object the operator wrote");
            }
            return bytes;
        } catch (NoSuchKeyException e) {
            throw new BackupException("BackupNotFound", key + " does not exist in bucket " + bucket, e);
        } catch (SdkException e) {
            throw failure("cannot read", key, e);
        } catch (IOException e) {
            throw new BackupException("ObjectStoreFailed", "reading " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, String> metadata(String key) throws BackupException {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key)).metadata();
        } catch (NoSuchKeyException e) {
            throw new BackupException("BackupNotFound", key + " does not exist in bucket " + bucket, e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new BackupException("BackupNotFound", key + " does not exist in bucket " + bucket, e);
            }
            throw failure("cannot read", key, e);
        } catch (SdkException e) {
            throw failure("cannot read", key, e);
        }
    }

    @Override
    public List<StoredObject> list(String prefix) throws BackupException {
        try {
            List<StoredObject> objects = new ArrayList<>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))
                    .contents()) {
                if (o.key().endsWith("/")) {
                    continue; // a folder marker (consoles and filesystem backends make them), never a backup
                }
                objects.add(new StoredObject(o.key(), o.size(), o.lastModified()));
            }
            return objects;
        } catch (SdkException e) {
            throw failure("cannot list", prefix, e);
        }
    }

    @Override
    public void delete(List<String> keys) throws BackupException {
        // One request per key: DeleteObjects needs a Content-MD5 some stores insist on and others reject.
        for (String key : keys) {
            try {
                s3.deleteObject(b -> b.bucket(bucket).key(key));
            } catch (SdkException e) {
                throw failure("cannot delete", key, e);
            }
        }
    }

    @Override
    public URI presignGet(String key, Duration validity) throws BackupException {
        try {
            return presigner
                    .presignGetObject(b -> b.signatureDuration(validity)
                            .getObjectRequest(g -> g.bucket(bucket).key(key)))
                    .url()
                    .toURI();
        } catch (SdkException | java.net.URISyntaxException e) {
            throw new BackupException("ObjectStoreFailed", "cannot presign " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        s3.close();
        presigner.close();
    }

    private static Map<String, String> with(Map<String, String> metadata, String digest) {
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.put(dev.operator.sks.naming.BackupKeys.SHA256_METADATA, digest);
        return all;
    }

    /** The store's own error code and status, the bucket and key; the SDK's messages carry no credentials. */
    private BackupException failure(String what, String key, SdkException e) {
        String detail = e instanceof S3Exception s3e && s3e.awsErrorDetails() != null
                ? "HTTP " + s3e.statusCode() + " " + s3e.awsErrorDetails().errorCode()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new BackupException("ObjectStoreFailed", what + " " + key + " in bucket " + bucket + ": " + detail, e);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
