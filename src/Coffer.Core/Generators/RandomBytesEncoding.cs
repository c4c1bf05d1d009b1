namespace Coffer.Core.Generators;

public enum RandomBytesEncoding
{
    Base64,
    Hex,
}
