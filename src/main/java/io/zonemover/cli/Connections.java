package io.zonemover.cli;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.Authentication;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.WorldStore;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    private KubeConfig loadedKubeConfig;
    private Path earlyDir;
    private CompletableFuture<WorldStore> earlyWorld;

    public Connections(GlobalOptions options) {
        this.options = options;
    }

    public GlobalOptions options() {
        return options;
    }

    /**
     * Begins opening the simulated world in {@code dir} on another thread, before the command line is parsed:
     * reading a world and catching its clock up takes about as long as building the parser, and a command
     * that connects at once (diagnose) then finds it open. {@link #sim()} uses it only if --sim names the same
     * directory once parsed; if opening it failed, {@link #sim()} opens it again and fails as it would have.
     */
    public synchronized void openWorldEarly(Path dir) {
        earlyDir = dir;
        earlyWorld = CompletableFuture.supplyAsync(() -> WorldStore.open(dir), Connections::inBackground);
    }

    /** The simulated world named by --sim, served by this process; null when not simulating. */
    public synchronized SimServers sim() {
        if (sim == null && options.sim != null) {
            WorldStore world = null;
            if (earlyWorld != null && options.sim.equals(earlyDir)) {
                try {
                    world = earlyWorld.join();
                } catch (CompletionException e) {
                    world = null;
                }
            }
            if (world == null) {
                world = WorldStore.open(options.sim);
            }
            StartupTrace.mark("world opened");
            sim = SimServers.start(world, 0, 0);
            StartupTrace.mark("world served");
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

    /**
     * Checks the global options and, when one is named (--kubeconfig, --context), the kubeconfig and its
     * context, without connecting to anything and without creating anything. Called before every command
     * runs, so a typo is refused with one line naming it before anything changes.
     */
    public synchronized void validate() {
        options.validate();
        if (options.kubeconfig == null && options.context != null && options.sim != null) {
            throw ZonemoverException.badInput("--context " + options.context + ": --sim serves one cluster and has no"
                    + " contexts; drop --context (or give --kubeconfig with it)");
        }
        if (options.kubeconfig != null || options.context != null) {
            kubeConfig();
        }
    }

    private ApiClient buildKube() {
        try {
            ApiClient client;
            KubeConfig config = options.kubeconfig == null && options.sim != null ? null : kubeConfig();
            if (options.kubeconfig == null && options.sim != null) {
                // The client (client-java's JSON tables, okhttp) is set up on another thread while this one opens
                // the world: neither needs the other until the address is known.
                CompletableFuture<ApiClient> building = CompletableFuture.supplyAsync(
                        () -> plainHttp("http://127.0.0.1", null), Connections::inBackground);
                String address = sim().kubeUri().toString();
                client = joined(building);
                client.setBasePath(address);
            } else if (config != null) {
                ClientBuilder builder = ClientBuilder.kubeconfig(config);
                client = builder.getBasePath().startsWith("http://")
                        ? plainHttp(builder.getBasePath(), builder.getAuthentication()) : builder.build();
            } else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
                client = ClientBuilder.standard().build(); // in-cluster: the pod's service account
            } else {
                // Without this, the client falls back to http://localhost:8080 and fails as a network error.
                throw ZonemoverException.badInput("no Kubernetes configuration: " + kubeconfigFile()
                        + " does not exist and this is not a pod; give --kubeconfig FILE (or --sim DIR)");
            }
            client.setHttpClient(client.getHttpClient().newBuilder()
                    .readTimeout(60, TimeUnit.SECONDS).connectTimeout(10, TimeUnit.SECONDS).build());
            return client;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ZonemoverException z) {
                throw z;
            }
            throw ZonemoverException.badInput(kubeconfigLabel(kubeconfigFile())
                    + ": cannot configure the Kubernetes client: " + GlobalOptions.firstLine(e.getMessage()));
        }
    }

    /** The future's value, or what it threw, unwrapped. */
    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Runs {@code task} on a daemon thread of its own, so that an abandoned one never holds the process up. */
    static void inBackground(Runnable task) {
        Thread thread = new Thread(task, "zonemover-prepare");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A client for an API server spoken to over plain HTTP (the simulated world, `kubectl proxy`). client-java
     * and okhttp set TLS up for every client they build, needed or not (the JDK's CA certificates loaded and
     * indexed, twice: a fifth of a cold `diagnose`); a client that allows only cleartext connections skips it.
     */
    private static ApiClient plainHttp(String basePath, Authentication authentication) {
        ApiClient client = new ApiClient(new OkHttpClient.Builder()
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).build());
        client.setBasePath(basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath);
        if (authentication != null) {
            authentication.provide(client);
        }
        return client;
    }

    /**
     * The kubeconfig to use, loaded and checked once: the file given, else $KUBECONFIG's first file or
     * ~/.kube/config if it exists; null when there is none (then in-cluster configuration is tried).
     */
    private KubeConfig kubeConfig() {
        if (loadedKubeConfig != null) {
            return loadedKubeConfig;
        }
        Path file = kubeconfigFile();
        if (options.kubeconfig == null && options.context == null && !Files.exists(file)) {
            return null;
        }
        String label = kubeconfigLabel(file);
        if (!Files.exists(file)) {
            throw ZonemoverException.badInput(label + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw ZonemoverException.badInput(label + ": cannot read it (not a readable file)");
        }
        KubeConfig config;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            config = KubeConfig.loadKubeConfig(reader);
        } catch (IOException | RuntimeException e) {
            throw ZonemoverException.badInput(label + ": not a kubeconfig (" + GlobalOptions.firstLine(e.getMessage())
                    + ")");
        }
        if (config == null) {
            throw ZonemoverException.badInput(label + ": not a kubeconfig (empty)");
        }
        config.setFile(file.toFile());
        List<String> contexts = namesOf(config.getContexts());
        String known = contexts.isEmpty() ? "it defines no contexts" : "contexts: " + String.join(", ", contexts);
        String chosen = options.context != null ? options.context : config.getCurrentContext();
        if (options.context != null && !contexts.contains(options.context)) {
            throw ZonemoverException.badInput("--context " + options.context + ": no such context in " + file
                    + " (" + known + ")");
        }
        if (chosen == null || chosen.isBlank()) {
            throw ZonemoverException.badInput(label + ": no current-context; choose one with --context NAME ("
                    + known + ")");
        }
        if (!contexts.contains(chosen) || !config.setContext(chosen)) {
            throw ZonemoverException.badInput(label + ": current-context " + chosen + " is not one of its contexts ("
                    + known + ")");
        }
        if (config.getServer() == null || config.getServer().isBlank()) {
            throw ZonemoverException.badInput(label + ": context " + chosen
                    + " names no cluster with a server URL");
        }
        loadedKubeConfig = config;
        return config;
    }

    private Path kubeconfigFile() {
        return options.kubeconfig != null ? options.kubeconfig : defaultKubeconfig();
    }

    private String kubeconfigLabel(Path file) {
        if (options.kubeconfig != null) {
            return "--kubeconfig " + file;
        }
        String env = System.getenv("KUBECONFIG");
        return (env != null && !env.isBlank() ? "kubeconfig " + file + " (from $KUBECONFIG)" : "kubeconfig " + file);
    }

    private static List<String> namesOf(List<Object> entries) {
        List<String> names = new ArrayList<>();
        if (entries != null) {
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> map && map.get("name") != null) {
                    names.add(String.valueOf(map.get("name")));
                }
            }
        }
        return names;
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
                // Adaptive: one client-side token bucket for every call of this process, which slows all moves in
                // flight together when EC2 throttles (its rate limits are per account and region, not per move).
                .overrideConfiguration(c -> c.retryStrategy(
                        AwsRetryStrategy.adaptiveRetryStrategy().toBuilder().maxAttempts(EC2_MAX_ATTEMPTS).build()));
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
        } else if (simulated || endpoint != null && "127.0.0.1".equals(endpoint.getHost())) {
            builder.region(Region.US_EAST_1);
        }
        if (simulated || options.profile == null && endpoint != null && "127.0.0.1".equals(endpoint.getHost())) {
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
