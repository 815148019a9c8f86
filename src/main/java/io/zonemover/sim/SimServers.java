package io.zonemover.sim;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpServer;
import io.zonemover.sim.ec2.Ec2Endpoint;
import io.zonemover.sim.ec2.Ec2HttpServer;
import io.zonemover.sim.kube.api.CallCountFilter;
import io.zonemover.sim.kube.api.KubeEndpoint;
import io.zonemover.sim.kube.api.KubeFaultFilter;
import io.zonemover.sim.kube.api.RbacFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves one world's two endpoints on loopback: the EC2 Query API and the Kubernetes API. Real clients
 * (the AWS SDK's Ec2Client, client-java, kubectl) are pointed at {@link #ec2Uri()} and {@link #kubeUri()}.
 * Both count every request they receive in the world's {@link CallLog}. When the world enforces RBAC
 * ({@link WorldStore#rbac()}), the Kubernetes endpoint answers what the policy does not allow with 403.
 */
public final class SimServers implements AutoCloseable {

    private final WorldStore store;
    private final Ec2HttpServer ec2;
    private final HttpServer kube;
    private final ExecutorService executor;

    private SimServers(WorldStore store, Ec2HttpServer ec2, HttpServer kube, ExecutorService executor) {
        this.store = store;
        this.ec2 = ec2;
        this.kube = kube;
        this.executor = executor;
    }

    /** Starts both endpoints; a port of 0 picks a free one. */
    public static SimServers start(WorldStore store, int kubePort, int ec2Port) {
        // Without TCP_NODELAY every exchange with the JDK server waits ~40 ms for delayed ACKs.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "sim-http");
                t.setDaemon(true);
                return t;
            });
            // EC2's own small server: the JDK's would stamp answers with this machine's Date, not the world's.
            Ec2HttpServer ec2 = Ec2HttpServer.start(new Ec2Endpoint(store), ec2Port);
            HttpServer kube = HttpServer.create(new InetSocketAddress(loopback, kubePort), 64);
            List<Filter> filters = kube.createContext("/", new KubeEndpoint(store)).getFilters();
            filters.add(new CallCountFilter(store.calls()::kube));
            filters.add(new KubeFaultFilter(store));
            store.rbac().ifPresent(policy -> filters.add(new RbacFilter(policy)));
            kube.setExecutor(executor);
            kube.start();
            return new SimServers(store, ec2, kube, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated endpoints: " + e.getMessage(), e);
        }
    }

    public WorldStore store() {
        return store;
    }

    public URI ec2Uri() {
        return URI.create("http://127.0.0.1:" + ec2.port());
    }

    public URI kubeUri() {
        return URI.create("http://127.0.0.1:" + kube.getAddress().getPort());
    }

    /** Writes a kubeconfig that points any Kubernetes client at this world's API; returns its path. */
    public Path writeKubeconfig(Path file) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: zonemover-sim
                  cluster:
                    server: %s
                contexts:
                - name: zonemover-sim
                  context:
                    cluster: zonemover-sim
                    user: zonemover-sim
                    namespace: default
                current-context: zonemover-sim
                users:
                - name: zonemover-sim
                  user:
                    token: sim
                """.formatted(kubeUri());
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        ec2.close();
        kube.stop(0);
        executor.shutdownNow();
        // A request still being answered may be writing to the world's directory (its call log): let it end,
        // so whoever removes the directory next finds nothing being written there.
        Ec2HttpServer.awaitQuietly(executor);
    }
}
