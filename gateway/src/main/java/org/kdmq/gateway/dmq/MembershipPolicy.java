package org.kdmq.gateway.dmq;

/**
 * How failed requests change a node's status: Kamailio's remove_inactive, fail_count_enabled,
 * fail_count_threshold_not_active and fail_count_threshold_disabled modparams, same defaults.
 */
public record MembershipPolicy(boolean removeInactive, boolean failCountEnabled, int failCountThresholdNotActive,
                               int failCountThresholdDisabled) {
    public static final MembershipPolicy KAMAILIO_DEFAULTS = new MembershipPolicy(true, false, 0, 1);

    public MembershipPolicy {
        if (failCountThresholdNotActive < 0 || failCountThresholdDisabled < 0) {
            throw new IllegalArgumentException("fail count thresholds must be >= 0");
        }
    }
}
