package io.zonemover.sim.ec2;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The EC2 endpoint's own small HTTP/1.1 server (loopback, keep-alive, Content-Length or chunked bodies, {@code
 * Expect: 100-continue}). The JDK's HttpServer would do, except that it stamps every answer with its own Date,
 * and EC2's Date must be the world's time ({@link Ec2Endpoint#serve}).
 */
public final class Ec2HttpServer implements AutoCloseable {

    /** A connection left idle this long is closed (clients reconnect). */
    private static final int IDLE_MS = 60_000;
    private static final int MAX_LINE = 16 * 1024;

    private final Ec2Endpoint endpoint;
    private final ServerSocket socket;
    private final ExecutorService connections;
    private volatile boolean closed;

    private Ec2HttpServer(Ec2Endpoint endpoint, ServerSocket socket) {
        this.endpoint = endpoint;
        this.socket = socket;
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sim-ec2-http");
            t.setDaemon(true);
            return t;
        });
    }

    /** Listens on loopback at {@code port} (0: a free one) and serves until closed. */
    public static Ec2HttpServer start(Ec2Endpoint endpoint, int port) {
        try {
            ServerSocket s = new ServerSocket(port, 64, InetAddress.getLoopbackAddress());
            Ec2HttpServer server = new Ec2HttpServer(endpoint, s);
            Thread accept = new Thread(server::acceptLoop, "sim-ec2-accept");
            accept.setDaemon(true);
            accept.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated EC2 endpoint: " + e.getMessage(), e);
        }
    }

    /** Connections being served, so that closing the server can end them. */
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket c = socket.accept();
                connections.execute(() -> serve(c));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket c) {
        open.add(c);
        try (c) {
            c.setTcpNoDelay(true);
            c.setSoTimeout(IDLE_MS);
            InputStream in = new BufferedInputStream(c.getInputStream());
            OutputStream out = c.getOutputStream();
            while (!closed) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                if (requestLine.isEmpty()) {
                    continue;
                }
                String[] parts = requestLine.split(" ");
                if (parts.length < 3) {
                    return;
                }
                long length = 0;
                boolean chunked = false;
                boolean expectContinue = false;
                boolean close = parts[2].equals("HTTP/1.0");
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    int colon = h.indexOf(':');
                    if (colon <= 0) {
                        continue;
                    }
                    String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = h.substring(colon + 1).trim();
                    switch (name) {
                        case "content-length" -> length = Long.parseLong(value);
                        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                        case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
                        case "connection" -> close = value.equalsIgnoreCase("close");
                        default -> { }
                    }
                }
                if (expectContinue) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                byte[] body = chunked ? chunkedBody(in) : in.readNBytes((int) length);
                String target = parts[1];
                int q = target.indexOf('?');
                Ec2Endpoint.Answer a = endpoint.serve(q < 0 ? null : target.substring(q + 1),
                        new String(body, StandardCharsets.UTF_8));
                byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 " + a.status() + " " + reason(a.status()) + "\r\n"
                        + "Date: " + a.date() + "\r\n"
                        + "Content-Type: text/xml;charset=UTF-8\r\n"
                        + "x-amzn-RequestId: " + a.requestId() + "\r\n"
                        + "Content-Length: " + bytes.length + "\r\n"
                        + (close ? "Connection: close\r\n" : "")
                        + "\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (SocketTimeoutException | SocketException e) {
            // idle or closed by the client
        } catch (IOException | RuntimeException e) {
            // a broken request: drop the connection, as a server would
        } finally {
            open.remove(c);
        }
    }

    /** One CRLF-terminated line without its terminator; null at end of stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int ch;
        while ((ch = in.read()) != -1) {
            if (ch == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (b.size() >= MAX_LINE) {
                throw new IOException("line too long");
            }
            b.write(ch);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] chunkedBody(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new IOException("truncated chunked body");
            }
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
                    // trailers: ignored
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line(in);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.shutdownNow();
        // Kept-alive connections block in a read no interrupt reaches: closing their sockets ends them.
        for (Socket c : open) {
            try {
                c.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        awaitQuietly(connections);
    }

    /**
     * Waits for the requests a closed server was still answering to end. Generous, because on a loaded machine
     * one answer (waiting for the world's lock, saving it) can take seconds, and whoever removes the world's
     * directory next must find nothing still writing there; an idle server returns at once.
     */
    public static void awaitQuietly(java.util.concurrent.ExecutorService threads) {
        try {
            threads.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
