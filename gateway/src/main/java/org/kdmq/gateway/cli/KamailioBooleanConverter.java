package org.kdmq.gateway.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Kamailio writes switches as 0/1; accept those and true/false/yes/no/on/off. */
final class KamailioBooleanConverter implements ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new TypeConversionException("'" + value + "' is not 0/1 (or true/false)");
        };
    }
}
