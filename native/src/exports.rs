//! [`exports!`]: the one macro that writes the exported functions of every atomic kind.

/// Writes the `extern "C"` functions of one atomic kind, each over the atomic stored at `addr`.
///
/// A header names the kind's storage (its atomic type and how the safety contract describes it)
/// and, optionally, how a value argument arrives (`args`, applied to every value argument before
/// the body; without it the body sees the `f64` as passed). Then come the functions, in one of
/// these shapes:
///
/// - `fn name(cell) -> f64 { .. }`: no argument (a load);
/// - `fn name(cell, value) { .. }`: value arguments (`f64` on the C side), any number of them, with
///   or without a result;
/// - `fn name(cell, a, b; out: T) -> f64 { .. }`: value arguments and then one out-parameter, the
///   address of a `T` the caller owns, which the body sees as `&mut T`.
///
/// In each body `cell` is the `&` atomic. Every function gets `#[no_mangle]`, the documentation
/// written above it, and a `# Safety` section built from the header. Like core's `atomic_int!`, the
/// safety argument lives here once instead of beside every function.
macro_rules! exports {
    (
        storage: $atomic:ty, $described:literal;
        args: $convert:expr;
        $($fns:tt)*
    ) => {
        exports! { @fns [$atomic, $described, $convert] $($fns)* }
    };
    (
        storage: $atomic:ty, $described:literal;
        $($fns:tt)*
    ) => {
        exports! { @fns [$atomic, $described, |value: f64| value] $($fns)* }
    };
    (
        @fns [$atomic:ty, $described:literal, $convert:expr]
        $(
            $(#[$doc:meta])*
            fn $name:ident($cell:ident $(, $arg:ident)* $(; $out:ident: $out_ty:ty)?)
                $(-> $ret:ty)? $body:block
        )*
    ) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        ///
        #[doc = concat!(
            "`addr` is the address of a live, ", $described, " (see `addr::at`)",
            $(
                "; `", stringify!($out), "` the address of an aligned `", stringify!($out_ty),
                "` that only the calling thread uses during the call (see `addr::at_mut`)",
            )?
            "."
        )]
        #[no_mangle]
        pub unsafe extern "C" fn $name(addr: f64 $(, $arg: f64)* $(, $out: f64)?) $(-> $ret)? {
            // SAFETY: forwarded from this function's contract.
            let $cell: &$atomic = unsafe { $crate::addr::at(addr) };
            $(
                // SAFETY: forwarded from this function's contract.
                let $out: &mut $out_ty = unsafe { $crate::addr::at_mut($out) };
            )?
            $(let $arg = ($convert)($arg);)*
            $body
        }
    )*};
}
