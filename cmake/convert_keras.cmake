# Keras frontend dependencies (HDF5 for .h5 / model.weights.h5, libzip for .keras).
