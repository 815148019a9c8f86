package io.zonemover.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them: 500ms, 90s, 10m, 1h, 7d (or ISO-8601 such as PT10M). Every duration the
 * command line takes is a timeout or an interval, so zero and negative ones are refused; picocli names the
 * option in the message.
 */
final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        Duration duration = parse(value.trim());
        if (duration == null) {
            throw new TypeConversionException("'" + value + "' is not a duration (examples: 90s, 10m, 1h)");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new TypeConversionException("'" + value + "' is not a positive duration (examples: 90s, 10m, 1h)");
        }
        return duration;
    }

    private static Duration parse(String value) {
        try {
            Matcher m = SIMPLE.matcher(value);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(value);
        } catch (RuntimeException e) {
            // Not a duration, or too long to count in (Long.parseLong and Duration overflow).
            return null;
        }
    }
}
