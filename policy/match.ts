import { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { Props, asString } from "./props";

/**
 * Like `validateResourceOfType`, but keyed on type tokens instead of SDK classes,
 * so the pack does not import @pulumi/aws or @pulumi/docker. Other types are
 * reported as not applicable, exactly as the library helper does.
 */
export function forTypes(
    types: readonly string[],
    validate: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    return (args, report) => {
        if (!types.includes(args.type)) {
            args.notApplicable(`applies only to ${types.join(", ")}`);
        }
        validate(args.props as Props, args, report);
    };
}

/**
 * Does `from.props[prop]` point at `target` (e.g. an EIP's `instance`)? When
 * the engine recorded where that prop came from, the property dependencies
 * decide, without reading values: ids are unknown during preview, and reading
 * an unknown value aborts the policy. Otherwise compare with the target's id.
 */
export function refersTo(from: PolicyResource, prop: string, target: PolicyResource): boolean {
    const deps = from.propertyDependencies[prop] ?? [];
    if (deps.length > 0) {
        return deps.some((d) => d.urn === target.urn);
    }
    const ref = asString(from.props[prop]);
    return ref !== undefined && ref !== "" && ref === asString(target.props.id);
}
