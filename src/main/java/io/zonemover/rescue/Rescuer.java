package io.zonemover.rescue;

import io.zonemover.cluster.Cluster;
import io.zonemover.diagnose.ClusterFacts;
import io.zonemover.diagnose.Diagnosis;
import io.zonemover.diagnose.Facts;
import io.zonemover.diagnose.Finding;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.SchedulerMessages;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationService;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One scan of the rescuer, and the moves it starts.
 *
 * <p>A scan first lists the Pending pods the scheduler could not place (one call, with the API server's clock)
 * and reads the opt-in of the StatefulSets of those stuck on a volume zone conflict. Only when an opted-in one
 * is past its grace does it read the cluster as {@code diagnose} does, and takes the VolumeNodeAffinityConflict
 * findings as the candidates: so it moves exactly what {@code diagnose} would tell a person to move, and nothing
 * a zone outage or a move in progress explains.
 * {@link RescuePolicy} decides; a MOVE then passes the PodDisruptionBudget ({@link PodBudget}) and the move's
 * own plan, and starts on a thread of its own while the scans go on.
 *
 * <p>Only the leader acts: leadership is checked before each scan and again just before each move starts,
 * so a replica that loses the Lease starts nothing more. A move it already started goes on to its end there
 * (the claims' compare-and-set lock and the job's ownership keep any other runner off it), and counts as a move
 * in flight for the next leader, since its claims carry the {@code zonemover.io/migration} annotation. A pod
 * whose move this process started and that failed is not tried again by it. Decisions are logged when they
 * change, not at every scan.
 */
public final class Rescuer {

    /** The annotation a StatefulSet opts in with. */
    public static final String OPT_IN = "zonemover.io/auto-rescue";

    /**
     * @param namespace the namespace watched; null: all
     * @param dryRun    decide and plan, report, and change nothing (no moves, no events)
     */
    public record Settings(String namespace, Duration grace, int maxConcurrent, boolean dryRun) {
    }

    private final Cluster cluster;
    private final Supplier<ClusterFacts> facts;
    private final Mover mover;
    private final BooleanSupplier leading;
    private final RescueLog log;
    private final KubernetesEvents events;
    private final Settings settings;
    private final RescuePolicy policy;
    private final Clock clock;
    private final ExecutorService moves;
    /** Moves this process runs: job id -> pod. */
    private final Map<String, Candidate> running = new ConcurrentHashMap<>();
    /** Pods (NAMESPACE/POD: the StatefulSet recreates a pod under the same name) whose move this process ran and that failed. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    /** What was last logged about each pod, so a decision is logged once, not every scan. */
    private final Map<String, String> logged = new HashMap<>();
    private final List<Decision> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * @param facts   the cluster as {@code diagnose} reads it (read only when a pod is stuck on its volumes' zone)
     * @param leading whether this replica leads now
     * @param events  where actions are recorded as Kubernetes Events; null for none
     */
    public Rescuer(Cluster cluster, Supplier<ClusterFacts> facts, Mover mover, BooleanSupplier leading,
                   RescueLog log, KubernetesEvents events, Settings settings, Clock clock) {
        this.cluster = cluster;
        this.facts = facts;
        this.mover = mover;
        this.leading = leading;
        this.log = log;
        this.events = settings.dryRun() ? null : events;
        this.settings = settings;
        this.policy = new RescuePolicy(settings.grace(), settings.maxConcurrent());
        this.clock = clock;
        this.moves = Executors.newFixedThreadPool(settings.maxConcurrent(), r -> {
            Thread t = new Thread(r, "zonemover-rescue-move");
            t.setDaemon(true);
            return t;
        });
    }

    /** One scan: what it decided about each stuck pod, after the checks that follow a MOVE. Empty unless leading. */
    public synchronized List<Decision> scan() {
        if (!leading.getAsBoolean()) {
            return List.of();
        }
        Cluster.Unscheduled unscheduled = cluster.unscheduledPods(settings.namespace());
        // Only a StatefulSet's pod can be moved; one stuck on its volumes' zone is a candidate.
        Map<String, Cluster.UnscheduledPod> stuck = unscheduled.pods().stream()
                .filter(p -> p.statefulSet() != null && SchedulerMessages.isVolumeZoneConflict(p.message()))
                .collect(Collectors.toMap(p -> p.namespace() + "/" + p.name(), p -> p, (a, b) -> a,
                        java.util.TreeMap::new));
        Map<String, Optional<Cluster.StatefulSet>> sets = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        List<Cluster.UnscheduledPod> optedIn = new ArrayList<>();
        for (Cluster.UnscheduledPod pod : stuck.values()) {
            Optional<Cluster.StatefulSet> sts = sets.computeIfAbsent(pod.namespace() + "/" + pod.statefulSet(),
                    k -> cluster.statefulSet(pod.namespace(), pod.statefulSet()));
            boolean in = sts.map(s -> "true".equals(s.annotations().get(OPT_IN))).orElse(false);
            if (in && due(pod, unscheduled.serverTime())) {
                optedIn.add(pod);
            } else {
                // Not opted in, or still within its grace: decided from this list alone.
                candidates.add(new Candidate(pod.namespace(), pod.name(), pod.uid(), pod.statefulSet(), List.of(), null,
                        pod.since(), in));
            }
        }
        List<Decision> out = new ArrayList<>();
        if (!settings.dryRun()) {
            resumeInterrupted(out);
        }
        Set<String> inFlight = new HashSet<>(running.keySet());
        // The cluster is read whole only when an opted-in pod is past its grace: otherwise a scan is one list.
        if (!optedIn.isEmpty()) {
            ClusterFacts read = facts.get();
            Map<String, Finding> conflicts = new HashMap<>();
            for (Finding f : Diagnosis.of(read)) {
                if (f.kind() == Finding.Kind.VolumeNodeAffinityConflict) {
                    conflicts.put(f.namespace() + "/" + f.pod(), f);
                }
            }
            for (Cluster.UnscheduledPod pod : optedIn) {
                Finding f = conflicts.get(pod.namespace() + "/" + pod.name());
                Candidate c = new Candidate(pod.namespace(), pod.name(), pod.uid(), pod.statefulSet(),
                        f == null ? List.of() : f.claimNames(), f == null ? null : f.suggestedZone(), pod.since(), true);
                if (f == null) {
                    // A zone outage, a move in progress, volumes in several zones: diagnose says what instead.
                    out.add(Decision.of(Decision.Kind.NOT_DIAGNOSED, c, "diagnose does not find a volume zone "
                            + "conflict to move here; see `zonemover diagnose -n " + pod.namespace() + "`"));
                } else {
                    candidates.add(c);
                }
            }
            read.claims().stream().map(Facts.Claim::migrationJob).filter(Objects::nonNull).forEach(inFlight::add);
        }
        for (Decision d : policy.decide(candidates, unscheduled.serverTime(), inFlight)) {
            Decision done = d.kind() == Decision.Kind.MOVE ? act(d, sets) : d;
            if (done != null) {
                out.add(done);
            }
        }
        out.forEach(this::logOnce);
        Set<String> seen = out.stream().map(d -> logKey(d.candidate())).collect(Collectors.toSet());
        logged.keySet().retainAll(seen);
        return out;
    }

    private boolean due(Cluster.UnscheduledPod pod, java.time.Instant serverNow) {
        return pod.since() != null && !pod.since().plus(settings.grace()).isAfter(serverNow);
    }

    /** The checks after a MOVE, then the move on its own thread. Null when leadership was lost meanwhile. */
    private Decision act(Decision move, Map<String, Optional<Cluster.StatefulSet>> sets) {
        Candidate c = move.candidate();
        if (failed.contains(c.key())) {
            return Decision.of(Decision.Kind.NOT_RETRIED, c, "its move by this replica failed; see `zonemover jobs list`");
        }
        Optional<Cluster.StatefulSet> sts = sets.get(c.namespace() + "/" + c.statefulSet());
        if (sts == null || sts.isEmpty()) {
            return Decision.of(Decision.Kind.REFUSED, c, "StatefulSet " + c.statefulSet() + " is not there");
        }
        Optional<String> blocked = PodBudget.blocked(cluster, sts.get(), c.pod());
        if (blocked.isPresent()) {
            event(c, false, "Warning", "RescueBlocked", "not moving pod " + c.pod() + " yet: " + blocked.get());
            return Decision.of(Decision.Kind.BLOCKED, c, blocked.get());
        }
        MigrationPlan plan;
        try {
            plan = mover.plan(c.namespace(), c.pod());
        } catch (ZonemoverException e) {
            return Decision.of(Decision.Kind.REFUSED, c, e.getMessage());
        }
        String where = "from " + plan.fromZone() + " to " + plan.toZone();
        if (settings.dryRun()) {
            return new Decision(Decision.Kind.WOULD_MOVE, c, "would move it " + where + " (" + move.detail()
                    + "); dry run: nothing changed", null);
        }
        if (!leading.getAsBoolean()) {
            return null;
        }
        String jobId = MigrationService.newJobId();
        running.put(jobId, c);
        String why = move.detail();
        event(c, true, "Normal", "RescueStarted", "pod " + c.pod() + " is Pending on a volume node affinity conflict (" + why + "): moving it " + where
                        + ", job " + jobId);
        moves.execute(() -> run(jobId, c, where, false, () -> mover.move(jobId, plan)));
        return new Decision(Decision.Kind.STARTED, c, "moving it " + where + " (" + why + ")", jobId);
    }

    /**
     * The moves a rescuer started whose process died before they ended (a leader killed mid-move), found in the
     * shared state once their runner's lease lapsed: resumed here, as `jobs resume` would, within
     * --max-concurrent. With a state of its own per replica there are none to find: `jobs adopt` is then a
     * person's call, as only a person can know the other replica is gone.
     */
    private void resumeInterrupted(List<Decision> out) {
        List<MigrationService.Interrupted> found;
        try {
            found = mover.interrupted();
        } catch (RuntimeException e) {
            return; // the state database is not answering: the next scan looks again
        }
        for (MigrationService.Interrupted i : found) {
            Candidate c = interruptedCandidate(i);
            boolean outOfScope = settings.namespace() != null && !settings.namespace().equals(c.namespace());
            if (outOfScope || running.containsKey(i.jobId()) || running.size() >= settings.maxConcurrent()) {
                continue;
            }
            if (!leading.getAsBoolean()) {
                return;
            }
            running.put(i.jobId(), c);
            event(c, true, "Normal", "RescueResumed", "resuming move " + i.jobId() + " of pod " + c.pod()
                    + ": the replica that ran it stopped before it ended");
            moves.execute(() -> run(i.jobId(), c, null, true, () -> mover.resume(i.jobId())));
            out.add(new Decision(Decision.Kind.RESUMED, c, "resuming its move, left unfinished by a replica that "
                    + "stopped (its lease lapsed)", i.jobId()));
        }
    }

    private static Candidate interruptedCandidate(MigrationService.Interrupted i) {
        String claim = i.claim();
        String namespace = claim.substring(0, claim.indexOf('/'));
        String pod = i.pod() == null ? claim.substring(claim.indexOf('/') + 1) : i.pod().substring(i.pod().indexOf('/') + 1);
        return new Candidate(namespace, pod, null, pod.replaceAll("-\\d+$", ""), List.of(claim.substring(claim.indexOf('/') + 1)),
                null, null, true);
    }

    /**
     * @param where   "from ZONE to ZONE" as planned; null for a resumed move (said from its result)
     * @param resumed a move another replica started: a refusal (another process took it meanwhile) is no failure
     */
    private void run(String jobId, Candidate c, String where, boolean resumed,
                     java.util.function.Supplier<MigrationService.Result> move) {
        Decision end;
        try {
            MigrationService.Result r = RescueProgress.during(c.key(), jobId, move);
            if ("COMPLETED".equals(r.status())) {
                String volumes = r.claims() == null ? "" : r.claims().stream()
                        .map(x -> x.claim() + " " + x.oldVolumeId() + " -> " + x.newVolumeId())
                        .collect(Collectors.joining(", "));
                String to = where != null ? where : "from " + r.fromZone() + " to " + r.toZone();
                end = new Decision(Decision.Kind.COMPLETED, c, "moved " + to + (volumes.isEmpty() ? "" : ": " + volumes)
                        + (r.downtimeSeconds() == null ? "" : String.format("; down %.0f s", r.downtimeSeconds())), jobId);
                event(c, true, "Normal", "RescueCompleted", "pod " + c.pod() + " " + end.detail() + " (job " + jobId + ")");
            } else {
                end = failed(c, jobId, r.status() + (r.outcome() == null ? "" : " (" + r.outcome() + ")")
                        + (r.message() == null ? "" : ": " + r.message()));
            }
        } catch (ZonemoverException e) {
            if (e.kind() == ZonemoverException.Kind.REFUSED && resumed) {
                // A resume that found its move taken meanwhile (another process's lease): not this one's to run.
                end = new Decision(Decision.Kind.REFUSED, c, e.getMessage(), jobId);
            } else {
                end = failed(c, jobId, e.getMessage());
            }
        } catch (RuntimeException e) {
            end = failed(c, jobId, e.getMessage());
        } finally {
            running.remove(jobId);
        }
        outcomes.add(end);
        logLine(end);
    }

    private Decision failed(Candidate c, String jobId, String why) {
        failed.add(c.key());
        Decision d = new Decision(Decision.Kind.FAILED, c, why + "; `zonemover jobs show " + jobId + "`", jobId);
        event(c, true, "Warning", "RescueFailed", "moving pod " + c.pod() + " failed (job " + jobId + "): " + why);
        return d;
    }

    /** An Event on the StatefulSet, and on the pod's claims when {@code claims}. */
    private void event(Candidate c, boolean claims, String type, String reason, String message) {
        if (events != null) {
            events.about(c.namespace(), c.statefulSet(), claims ? c.claims() : List.of(), type, reason, "Rescue", message);
        }
    }

    /** How many moves this process is running now. */
    public int running() {
        return running.size();
    }

    /** The moves that ended since the last call (COMPLETED or FAILED), oldest first. */
    public List<Decision> ended() {
        synchronized (outcomes) {
            List<Decision> out = List.copyOf(outcomes);
            outcomes.clear();
            return out;
        }
    }

    /** Starts nothing more and waits for the moves in flight to end; false when {@code timeout} passed first. */
    public boolean finish(Duration timeout) throws InterruptedException {
        moves.shutdown();
        return moves.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void logOnce(Decision d) {
        String key = logKey(d.candidate());
        String said = d.kind() + " " + d.detail();
        if (d.kind() == Decision.Kind.STARTED || d.kind() == Decision.Kind.RESUMED || !said.equals(logged.get(key))) {
            logged.put(key, said);
            logLine(d);
        }
    }

    private void logLine(Decision d) {
        Candidate c = d.candidate();
        log.line(new RescueLog.Line(clock.instant(), d.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                c.key(), c.namespace() + "/" + c.statefulSet(), d.jobId(), c.suggestedZone(), d.detail()));
    }

    /** A pod as the log knows it: by uid, so a pod recreated under the same name is told about again. */
    private static String logKey(Candidate c) {
        return c.uid() != null ? c.uid() : c.key();
    }
}
