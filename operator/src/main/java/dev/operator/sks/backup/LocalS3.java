package dev.operator.sks.backup;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3 API server in this JVM (S3Proxy with jclouds' filesystem backend) on a loopback port: the demo's object
 * store, so backups work with no cloud, and the tests'. It checks AWS signatures (v2 and v4) with the key pair given,
 * as a real store would.
 */
public final class LocalS3 implements AutoCloseable {
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final String accessKeyId;
    private final String secretAccessKey;

    private LocalS3(S3Proxy proxy, BlobStoreContext context, String accessKeyId, String secretAccessKey) {
        this.proxy = proxy;
        this.context = context;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
    }

    /** Starts it, with {@code bucket} made, keeping objects below {@code directory}. */
    public static LocalS3 start(Path directory, String bucket, String accessKeyId, String secretAccessKey)
            throws Exception {
        Files.createDirectories(directory);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toString());
        BlobStoreContext context =
                ContextBuilder.newBuilder("filesystem").overrides(properties).buildView(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, bucket);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretAccessKey)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10); // start() returns before Jetty has bound its port
        }
        return new LocalS3(proxy, context, accessKeyId, secretAccessKey);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
        } finally {
            context.close();
        }
    }
}
