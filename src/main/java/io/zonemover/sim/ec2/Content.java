package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.Volume;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a volume holds: its content fingerprint and write count, derived from the time it has been written.
 *
 * <p>Writes by running containers are not events (there would be one a second per volume): a volume keeps the
 * writes folded in when writing last started or stopped, plus the instant it started, and the count at any
 * later instant is computed. A fingerprint names the content: the base it started from (empty, or a
 * snapshot's) plus how many writes this volume added, so equal fingerprints mean equal data.
 */
final class Content {

    static final String EMPTY_FINGERPRINT = sha("empty", 16);

    private Content() {
    }

    /** Writes this volume added on top of its base by {@code now}. */
    static long localWrites(Volume v, long now) {
        long extra = v.writing ? Math.max(0, now - v.writingSince) * Ec2World.WRITES_PER_SEC / 1000 : 0;
        return v.localWrites + extra;
    }

    /** Total writes the content holds at {@code now}, including those inherited from its snapshot. */
    static long writes(Volume v, long now) {
        return v.baseWrites + localWrites(v, now);
    }

    /** Stops the writing clock, keeping what was written so far (on detach, delete, or a stopped container). */
    static void stopWriting(Volume v, long now) {
        if (v.writing) {
            v.localWrites = localWrites(v, now);
            v.writing = false;
            v.writingSince = 0;
        }
    }

    /** The content's fingerprint at {@code now} (16 hex digits). */
    static String fingerprint(Volume v, long now) {
        long local = localWrites(v, now);
        return local == 0 ? v.baseFingerprint : sha(v.baseFingerprint + ":" + v.id + ":" + local, 16);
    }

    /** The first {@code hexDigits} hex digits of the text's SHA-256. */
    static String sha(String text, int hexDigits) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, hexDigits);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
