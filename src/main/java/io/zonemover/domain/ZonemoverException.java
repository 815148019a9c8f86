package io.zonemover.domain;

/**
 * The small family of errors users see. Each kind maps to one exit code (DESIGN.md): bad input 2,
 * refused by a safety check 3, anything else failed 1 (state kept, resumable).
 */
public class ZonemoverException extends RuntimeException {

    public enum Kind {
        BAD_INPUT(2), REFUSED(3), FAILED(1);

        private final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private final Kind kind;

    public ZonemoverException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ZonemoverException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ZonemoverException badInput(String message) {
        return new ZonemoverException(Kind.BAD_INPUT, message);
    }

    public static ZonemoverException refused(String message) {
        return new ZonemoverException(Kind.REFUSED, message);
    }

    public static ZonemoverException failed(String message, Throwable cause) {
        return new ZonemoverException(Kind.FAILED, message, cause);
    }
}
