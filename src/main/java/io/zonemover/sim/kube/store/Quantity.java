package io.zonemover.sim.kube.store;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Parses Kubernetes resource quantities ("500m", "2", "512Mi", "20Gi", "1e3"). */
public final class Quantity {

    private Quantity() {
    }

    private static final java.util.Map<String, BigDecimal> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    static BigDecimal parse(String s) {
        if (s == null || s.isBlank()) {
            return BigDecimal.ZERO;
        }
        BigDecimal cached = CACHE.get(s);
        if (cached != null) {
            return cached;
        }
        BigDecimal v = parseUncached(s);
        if (CACHE.size() < 10_000) {
            CACHE.put(s, v);
        }
        return v;
    }

    private static BigDecimal parseUncached(String s) {
        s = s.trim();
        String[][] suffixes = {
                {"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"Pi", "1125899906842624"}, {"Ei", "1152921504606846976"},
                {"n", "0.000000001"}, {"u", "0.000001"}, {"m", "0.001"}, {"k", "1000"}, {"M", "1000000"},
                {"G", "1000000000"}, {"T", "1000000000000"}, {"P", "1000000000000000"}, {"E", "1000000000000000000"}};
        for (String[] suf : suffixes) {
            if (s.endsWith(suf[0]) && s.length() > suf[0].length()) {
                String num = s.substring(0, s.length() - suf[0].length());
                if (num.matches("[+-]?[0-9.]+")) {
                    return new BigDecimal(num).multiply(new BigDecimal(suf[1]));
                }
            }
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }

    /** CPU in millicores. */
    public static long milli(String s) {
        return parse(s).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).longValue();
    }

    /** Bytes (or plain units such as a pod count). */
    public static long units(String s) {
        return parse(s).setScale(0, RoundingMode.CEILING).longValue();
    }

    /** Storage size in GiB, rounded up as the EBS provisioner does. */
    public static int gib(String s) {
        BigDecimal bytes = parse(s);
        BigDecimal g = bytes.divide(BigDecimal.valueOf(1073741824L), 0, RoundingMode.CEILING);
        return Math.max(1, g.intValue());
    }
}
