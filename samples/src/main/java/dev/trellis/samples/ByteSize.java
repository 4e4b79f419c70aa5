package dev.trellis.samples;

import java.util.Locale;

/** Sizes given on the command line: {@code 512m}, {@code 2g}, {@code 1.5GiB} or a plain number of bytes. */
final class ByteSize {

    private ByteSize() {
    }

    /** Parses {@code text} for {@code flag}; a {@link UserError} naming the flag when it is not a positive size. */
    static long parse(String text, String flag) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        String number = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            double value = Double.parseDouble(number);
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return (long) Math.ceil(value * unit);
        } catch (NumberFormatException e) {
            throw new UserError(flag + " " + text + ": give a positive size such as 512m, 2g or a number of bytes");
        }
    }

    /** {@code bytes} in the largest unit that keeps it above 1, e.g. {@code 1.5 GiB}. */
    static String format(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
