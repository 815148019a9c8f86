package io.zonemover.sim.ec2;

import java.util.List;

/**
 * One page of a Describe result, with MaxResults/NextToken as EC2 pages: MaxResults is clamped to 5..1000,
 * the token is opaque to the caller (here: the index of the next item), and without either parameter the whole
 * result comes back in one answer.
 */
record Page<T>(List<T> items, String nextToken) {

    static <T> Page<T> of(QueryParams p, List<T> all) {
        Integer max = p.integer("MaxResults");
        String token = p.get("NextToken");
        if (max == null && !p.has("NextToken")) {
            return new Page<>(all, null);
        }
        int from = 0;
        if (token != null && !token.isEmpty()) {
            try {
                from = Integer.parseInt(token);
            } catch (NumberFormatException e) {
                throw Ec2Error.invalid("Invalid NextToken");
            }
        }
        int size = max == null ? 1000 : Math.max(5, Math.min(1000, max));
        int to = Math.min(all.size(), from + size);
        List<T> items = from >= all.size() ? List.of() : all.subList(from, to);
        return new Page<>(items, to < all.size() ? Integer.toString(to) : null);
    }
}
