package rust

import "testing"

// FuzzDemangleV0: any input ends, without a panic, in a name or a refusal.
func FuzzDemangleV0(f *testing.F) {
	for _, s := range []string{
		"_RNvMs3_NtCslNYArtu3iFV_5alloc7raw_vecINtB5_6RawVecINtNtB7_3vec3VechEE8grow_oneCsjrHSEGnQ3l9_3std",
		"_RNCNCNCNvNtCsjrHSEGnQ3l9_3std2rt19lang_start_internal00s_0B9_",
		"_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeINtNtCslNYArtu3iFV_5alloc5boxed3BoxDG0_INtNtNtB4_3ops8function2FnTRL1_INtNtCsjrHSEGnQ3l9_3std5panic13PanicHookInfoL0_EEEp6OutputuNtNtB4_6marker4SyncNtB2N_4SendEL_EEB1T_",
		"_RINvNtCsgEmfK2I1SDS_4core3ptr10swap_chunkKj1_ECskK7mfDs1mzF_1m",
		"_RTB_B_B_B_B_", "_RNvB0_1a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, noArgs := range []bool{false, true} {
			if name, ok := DemangleV0(s, noArgs); ok && len(name) > maxV0Len {
				t.Errorf("%q: a name of %d bytes", s, len(name))
			}
		}
	})
}
