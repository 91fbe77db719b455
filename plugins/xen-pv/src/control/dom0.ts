/**
 * Who may make Xen's control hypercalls, in the words a refusal uses: core's dispatch table
 * knows only "the control domain"; Xen calls it Dom0.
 *
 * @internal
 */
export const DOM0 = 'the control domain (Dom0)';
