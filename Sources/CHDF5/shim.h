#include <hdf5.h>

// HDF5's constants are macros that call into the library (H5OPEN), which Swift cannot import:
// these return them.
static inline hid_t athanor_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t athanor_h5s_all(void) { return H5S_ALL; }
static inline hid_t athanor_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned athanor_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned athanor_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline hid_t athanor_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t athanor_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t athanor_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t athanor_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t athanor_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t athanor_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t athanor_h5p_group_create(void) { return H5P_GROUP_CREATE; }

// Errors come back as negative return values; the library's own printing to stderr is turned off.
static inline void athanor_h5_silence(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

// h5py stores NumPy's bool as an 8-bit enum {FALSE = 0, TRUE = 1}; writing the same lets h5py
// (and so Minari) read our flags back as bool.
static inline hid_t athanor_h5t_bool_enum(void) {
    hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
    signed char no = 0, yes = 1;
    H5Tenum_insert(type, "FALSE", &no);
    H5Tenum_insert(type, "TRUE", &yes);
    return type;
}
