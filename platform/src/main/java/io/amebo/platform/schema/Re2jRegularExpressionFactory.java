package io.amebo.platform.schema;

import com.google.re2j.Pattern;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;

/**
 * Runs schemas' {@code pattern}s (and {@code patternProperties}, {@code format: regex}) on RE2/J, whose matching
 * time is linear in the input: a catastrophic pattern such as {@code ^(a+)+$} costs what any pattern costs, on the
 * event loop, where the JDK's backtracking engine could spin for hours on one payload. RE2 has no look-around or
 * back-references: a schema that uses them does not compile, and is refused when it is registered. ECMA-262's
 * {@code $} (end of input only) and long-form character properties are translated as networknt does for the JDK.
 */
final class Re2jRegularExpressionFactory implements RegularExpressionFactory {

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(
                RegularExpressions.replaceLongformCharacterProperties(RegularExpressions.replaceDollarAnchors(regex)));
        return value -> pattern.matcher(value).find();
    }
}
