package io.zonemover.cli;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.WorldStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Builds the two real clients from the global options, each only when a command first asks for it, so a
 * command that needs neither pays for neither. With {@code --sim DIR} the world's two endpoints are
 * served on loopback by this process and the same clients are pointed at them: nothing downstream
 * knows the difference.
 */
public final class Connections implements AutoCloseable {

    /** EC2 attempts per call: the SDK retries throttling and 5xx itself; the job steps handle the rest. */
    static final int EC2_MAX_ATTEMPTS = 8;

    private final GlobalOptions options;
    private SimServers sim;
    private ApiClient kube;
    private Ec2Client ec2;

    public Connections(GlobalOptions options) {
        this.options = options;
    }

    public GlobalOptions options() {
        return options;
    }

    /** The simulated world named by --sim, served by this process; null when not simulating. */
    public synchronized SimServers sim() {
        if (sim == null && options.sim != null) {
            sim = SimServers.start(WorldStore.open(options.sim), 0, 0);
        }
        return sim;
    }

    public synchronized ApiClient kube() {
        if (kube == null) {
            kube = buildKube();
        }
        return kube;
    }

    public synchronized Ec2Client ec2() {
        if (ec2 == null) {
            ec2 = buildEc2();
        }
        return ec2;
    }

    private ApiClient buildKube() {
        try {
            ApiClient client;
            if (options.kubeconfig == null && sim() != null) {
                client = new ClientBuilder().setBasePath(sim().kubeUri().toString()).build();
            } else if (options.kubeconfig != null || options.context != null) {
                Path file = options.kubeconfig != null ? options.kubeconfig : defaultKubeconfig();
                if (!Files.isReadable(file)) {
                    throw ZonemoverException.badInput("cannot read kubeconfig " + file);
                }
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    KubeConfig config = KubeConfig.loadKubeConfig(reader);
                    config.setFile(file.toFile());
                    if (options.context != null && !config.setContext(options.context)) {
                        throw ZonemoverException.badInput("no context " + options.context + " in " + file);
                    }
                    client = ClientBuilder.kubeconfig(config).build();
                }
            } else {
                client = ClientBuilder.standard().build();
            }
            client.setHttpClient(client.getHttpClient().newBuilder()
                    .readTimeout(60, TimeUnit.SECONDS).connectTimeout(10, TimeUnit.SECONDS).build());
            return client;
        } catch (IOException e) {
            throw ZonemoverException.badInput("cannot load Kubernetes configuration: " + e.getMessage());
        }
    }

    private static Path defaultKubeconfig() {
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env.split(java.io.File.pathSeparator)[0]);
        }
        return Path.of(System.getProperty("user.home"), ".kube", "config");
    }

    private Ec2Client buildEc2() {
        Ec2ClientBuilder builder = Ec2Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
                .overrideConfiguration(c -> c.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(EC2_MAX_ATTEMPTS).build()));
        URI endpoint = options.ec2Endpoint;
        boolean simulated = endpoint == null && sim() != null;
        if (simulated) {
            endpoint = sim().ec2Uri();
        }
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        if (options.region != null) {
            builder.region(Region.of(options.region));
        } else if (simulated || endpoint != null && endpoint.getHost().equals("127.0.0.1")) {
            builder.region(Region.US_EAST_1);
        }
        if (simulated || options.profile == null && endpoint != null && endpoint.getHost().equals("127.0.0.1")) {
            // A local endpoint (the simulated world) needs a signature, not real credentials.
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("sim", "sim")));
        } else if (options.profile != null) {
            builder.credentialsProvider(ProfileCredentialsProvider.create(options.profile));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        try {
            return builder.build();
        } catch (RuntimeException e) {
            throw ZonemoverException.badInput("cannot configure EC2: " + e.getMessage()
                    + " (set --region or AWS_REGION)");
        }
    }

    @Override
    public synchronized void close() {
        if (ec2 != null) {
            ec2.close();
        }
        if (sim != null) {
            sim.close();
        }
    }
}
