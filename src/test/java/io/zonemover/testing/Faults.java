package io.zonemover.testing;

import io.zonemover.domain.PortError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The error injector and call log of one fake port. Rules say which calls fail and how: the next N calls of a
 * method (or of any), the call number I from now, or every call with probability p (seeded, so a failing run
 * can be replayed). A failure either comes before the call has any effect, or after it (the effect happened,
 * the answer was lost: what a timeout on a create looks like to a client).
 */
public final class Faults {

    /** One call a port received, with its arguments. */
    public record Call(String method, List<Object> args) {
        @Override
        public String toString() {
            return method + args;
        }
    }

    /** When an injected error strikes. */
    public enum When { BEFORE, AFTER_EFFECT }

    private static final class Rule {
        final String method;
        final When when;
        final Supplier<PortError> error;
        int skip;
        int remaining;

        Rule(String method, When when, Supplier<PortError> error, int skip, int remaining) {
            this.method = method;
            this.when = when;
            this.error = error;
            this.skip = skip;
            this.remaining = remaining;
        }

        boolean matches(String m) {
            return method == null || method.equals(m);
        }
    }

    private final String api;
    private final List<Call> log = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private Random random;
    private double probability;
    private PortError.Kind randomKind;
    private When randomWhen = When.BEFORE;
    private int injected;

    public Faults(String api) {
        this.api = api;
    }

    /** "Kubernetes" or "EC2", as {@link PortError#api()} says. */
    public String api() {
        return api;
    }

    // ---- arming ----

    /** The next {@code n} calls of {@code method} (null: of any method) fail with an error of this kind. */
    public synchronized Faults failNext(int n, String method, PortError.Kind kind) {
        return failNext(n, method, kind, When.BEFORE);
    }

    public synchronized Faults failNext(int n, String method, PortError.Kind kind, When when) {
        rules.add(new Rule(method, when, () -> error(kind), 0, n));
        return this;
    }

    /** The next {@code n} calls of {@code method} (null: any) throw what {@code error} makes (its own code). */
    public synchronized Faults failNextWith(int n, String method, Supplier<PortError> error) {
        rules.add(new Rule(method, When.BEFORE, error, 0, n));
        return this;
    }

    /** The call number {@code index} (0-based, counting every method from now) fails once. */
    public synchronized Faults failCall(int index, PortError.Kind kind, When when) {
        rules.add(new Rule(null, when, () -> error(kind), index, 1));
        return this;
    }

    /** Every call fails with probability {@code p}, drawn from a generator seeded with {@code seed}. */
    public synchronized Faults failRandomly(double p, long seed, PortError.Kind kind, When when) {
        this.random = new Random(seed);
        this.probability = p;
        this.randomKind = kind;
        this.randomWhen = when;
        return this;
    }

    /** Disarms every rule (the log is kept). */
    public synchronized Faults clear() {
        rules.clear();
        random = null;
        return this;
    }

    /** An error as this port's adapter would report one of this kind. */
    public PortError error(PortError.Kind kind) {
        boolean ec2 = "EC2".equals(api);
        String code = switch (kind) {
            case TRANSIENT -> ec2 ? "RequestLimitExceeded" : "HTTP 503";
            case CONFLICT -> "HTTP 409";
            case NOT_FOUND -> ec2 ? "InvalidVolume.NotFound" : "HTTP 404";
            case REJECTED -> ec2 ? "InvalidParameterValue" : "HTTP 422";
        };
        return new PortError(kind, api, code, "injected " + kind, null);
    }

    // ---- the log ----

    public synchronized List<Call> calls() {
        return List.copyOf(log);
    }

    public synchronized int size() {
        return log.size();
    }

    /** Calls from position {@code from} of the log on. */
    public synchronized List<Call> callsSince(int from) {
        return List.copyOf(log.subList(Math.min(from, log.size()), log.size()));
    }

    public synchronized long count(String method) {
        return log.stream().filter(c -> c.method().equals(method)).count();
    }

    /** How many errors were injected so far. */
    public synchronized int injected() {
        return injected;
    }

    public synchronized void clearLog() {
        log.clear();
    }

    // ---- used by the fakes ----

    /** Logs the call, then fails it or runs it as the rules say. */
    public <T> T call(String method, Supplier<T> body, Object... args) {
        PortError before;
        PortError after;
        synchronized (this) {
            log.add(new Call(method, Arrays.asList(args)));
            PortError[] decided = decide(method);
            before = decided[0];
            after = decided[1];
        }
        if (before != null) {
            throw before;
        }
        T result = body.get();
        if (after != null) {
            throw after;
        }
        return result;
    }

    public void run(String method, Runnable body, Object... args) {
        call(method, () -> {
            body.run();
            return null;
        }, args);
    }

    private PortError[] decide(String method) {
        PortError[] out = new PortError[2];
        Iterator<Rule> it = rules.iterator();
        while (it.hasNext()) {
            Rule rule = it.next();
            if (!rule.matches(method)) {
                continue;
            }
            if (rule.skip > 0) {
                rule.skip--;
                continue;
            }
            if (out[0] == null && out[1] == null) {
                out[rule.when == When.BEFORE ? 0 : 1] = rule.error.get();
                injected++;
                if (--rule.remaining <= 0) {
                    it.remove();
                }
            }
        }
        if (out[0] == null && out[1] == null && random != null && random.nextDouble() < probability) {
            out[randomWhen == When.BEFORE ? 0 : 1] = error(randomKind);
            injected++;
        }
        return out;
    }
}
